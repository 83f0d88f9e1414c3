"""The assessment pages: schemes (`schemes`) and rounds with their score cards (`rounds`)."""
