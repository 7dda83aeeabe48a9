"""Theory of change: the project's causal graph (activities → outputs → outcomes → impact) and its versions."""
