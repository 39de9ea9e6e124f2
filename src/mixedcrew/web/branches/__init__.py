"""What-if branches: a revision copied under a name, compared with its origin, proposed back."""
