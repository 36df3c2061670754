"""Control of territory: observations of who holds what, and change since a baseline."""
