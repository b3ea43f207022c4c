ALTER TABLE generations ADD COLUMN poster_file TEXT;
