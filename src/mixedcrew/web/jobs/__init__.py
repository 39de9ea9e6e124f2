"""Long work as jobs (check, plan, risk): recorded, run on worker threads, stoppable, resumed."""
