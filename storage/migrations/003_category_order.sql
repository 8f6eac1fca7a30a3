-- The catalog's first screen walks categories in their panel order and stops after one page.
CREATE INDEX categories_position ON categories (position, id);
