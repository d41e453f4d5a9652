granted_queue = "auto-queue"
