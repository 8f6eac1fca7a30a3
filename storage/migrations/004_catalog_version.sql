-- Moves on every change to the catalog (a sync, an owner's override, a hand edit): screens
-- rendered from the catalog are kept per value and built again once it moves.
CREATE TABLE catalog_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO catalog_version (id, value) VALUES (1, 0);

CREATE TRIGGER services_inserted AFTER INSERT ON services
BEGIN UPDATE catalog_version SET value = value + 1; END;
CREATE TRIGGER services_updated AFTER UPDATE ON services
BEGIN UPDATE catalog_version SET value = value + 1; END;
CREATE TRIGGER services_deleted AFTER DELETE ON services
BEGIN UPDATE catalog_version SET value = value + 1; END;
CREATE TRIGGER categories_inserted AFTER INSERT ON categories
BEGIN UPDATE catalog_version SET value = value + 1; END;
CREATE TRIGGER categories_updated AFTER UPDATE ON categories
BEGIN UPDATE catalog_version SET value = value + 1; END;
CREATE TRIGGER categories_deleted AFTER DELETE ON categories
BEGIN UPDATE catalog_version SET value = value + 1; END;
