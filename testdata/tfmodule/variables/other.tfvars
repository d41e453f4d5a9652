# Named with --var-file only: not loaded automatically.
granted_queue = "other-queue"
