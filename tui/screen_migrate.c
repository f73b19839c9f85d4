/* The Migrate screen: [migrate] settings (no live panel). */
#include "settings.h"

static const struct settings_spec spec = {
	.section = "migrate",
	.intro = "How the copy is done: the schema first (tables before data, indexes, constraints "
		 "and foreign keys after), the rows with COPY from one consistent snapshot, then "
		 "every table verified. In live mode the snapshot is a replication slot's and the "
		 "changes made meanwhile follow by logical replication.",
};

const struct screen screen_migrate = {
	.name = "migrate",
	.title = "Migration",
	.help = "mode: offline (the application stops writing for the whole copy) or live (it "
		"goes on writing: the source needs wal_level = logical, and the changes flow by "
		"logical replication until the cutover).\nschema: copy, skip, or file:PATH to "
		"apply "
		"your own SQL file.\ndata: copy or "
		"skip.\njobs: tables copied in parallel.\nexclude_tables: schema.table names not "
		"to copy, comma-separated.",
	SETTINGS_SCREEN(&spec),
};
