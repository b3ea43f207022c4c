ALTER TABLE generations ADD COLUMN callback_url TEXT;
CREATE INDEX generations_task_id ON generations(task_id);
