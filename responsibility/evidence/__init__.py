"""Evidence files (佐证材料): the rules an upload must meet, and how it is stored."""
