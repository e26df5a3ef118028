-- The language a share link's page is written in, chosen when it is made (the care
-- team's language may differ from the family's). NULL (links made before): the reader's browser.
ALTER TABLE share_links ADD COLUMN language TEXT;
