granted_queue = "tfvars-queue"
