/* Settings: the keys of config.ini, their defaults, rules and help lines. */
#ifndef RDSM_CONFIG_H
#define RDSM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* X(ID, section, name, default, flags, help) — one row per key of the contract
 * in DESIGN.md. The order is the order of config.ini.sample and of the forms. */
#define CONFIG_KEYS(X)                                                                             \
	X(SOURCE_URL, "source", "url", "", CFGF_SECRET_URL,                                        \
	  "postgresql://USER:PASS@HOST:PORT/DB; env SOURCE_DATABASE_URL overrides")                \
	X(SOURCE_RELAY, "source", "relay", "", 0,                                                  \
	  "live mode: IP:PORT the target reaches the source at (a forward on this machine); "      \
	  "empty: the URL's host")                                                                 \
	X(AWS_REGION, "aws", "region", "ap-northeast-2", 0, "AWS region, e.g. ap-northeast-2")     \
	X(AWS_PROFILE, "aws", "profile", "", 0, "profile in ~/.aws; empty: the SDK default chain") \
	X(INSTANCE_MODE, "instance", "mode", "create", 0, "create | existing")                     \
	X(INSTANCE_IDENTIFIER, "instance", "identifier", "yousync-db", 0,                          \
	  "1-63 letters, digits, hyphens; letter first; no -- or trailing hyphen")                 \
	X(INSTANCE_CLASS, "instance", "class", "db.t3.micro", 0,                                   \
	  "instance class, e.g. db.t3.micro")                                                      \
	X(INSTANCE_ENGINE_VERSION, "instance", "engine_version", "15", 0,                          \
	  "a major (15) picks the newest minor RDS offers; or a full version (15.8)")              \
	X(INSTANCE_STORAGE_GB, "instance", "storage_gb", "20", 0,                                  \
	  "allocated storage in GiB: gp2/gp3 20-65536, io1/io2 100-65536")                         \
	X(INSTANCE_STORAGE_TYPE, "instance", "storage_type", "gp3", 0, "gp2 | gp3 | io1 | io2")    \
	X(INSTANCE_ENCRYPTED, "instance", "encrypted", "true", 0,                                  \
	  "encrypt storage at rest (true|false)")                                                  \
	X(INSTANCE_BACKUP_RETENTION_DAYS, "instance", "backup_retention_days", "7", 0,             \
	  "automated backups kept 0-35 days")                                                      \
	X(INSTANCE_SNAPSHOT, "instance", "snapshot", "true", 0,                                    \
	  "a manual snapshot before the first write to an adopted instance and before a cutover")  \
	X(INSTANCE_MULTI_AZ, "instance", "multi_az", "false", 0,                                   \
	  "standby in a second zone (true|false)")                                                 \
	X(INSTANCE_PUBLIC, "instance", "public", "true", 0,                                        \
	  "publicly accessible endpoint (true|false)")                                             \
	X(INSTANCE_DB_NAME, "instance", "db_name", "fastapi_db", 0,                                \
	  "database created on the instance: 1-63 letters, digits, underscore; letter first")      \
	X(INSTANCE_MASTER_USER, "instance", "master_user", "yousync", 0,                           \
	  "1-16 letters, digits, underscore; letter first; not a reserved name")                   \
	X(INSTANCE_MASTER_PASSWORD, "instance", "master_password", "", CFGF_SECRET,                \
	  "empty: generate; secrets-manager: kept by RDS; else 12-128 printable, no / \" @ ' or "  \
	  "space")                                                                                 \
	X(INSTANCE_SECURITY_GROUP, "instance", "security_group", "", 0,                            \
	  "sg-...; empty: the VPC's default group")                                                \
	X(NETWORK_ALLOW, "network", "allow", "auto", 0,                                            \
	  "auto: this EC2 box's group, else this IP/32; or a CIDR, or sg-...")                     \
	X(NETWORK_PORT, "network", "port", "5432", 0, "database port 1150-65535")                  \
	X(TARGET_URL, "target", "url", "", CFGF_SECRET_URL,                                        \
	  "set it to skip [instance]/[network] and migrate into any PostgreSQL")                   \
	X(TARGET_HOSTADDR, "target", "hostaddr", "", 0,                                            \
	  "connect here (a tunnel) while TLS still checks the endpoint's name")                    \
	X(TARGET_PORT, "target", "port", "", 0, "port to connect to; empty: [network] port")       \
	X(TARGET_SSLMODE, "target", "sslmode", "verify-full", 0,                                   \
	  "disable | allow | prefer | require | verify-ca | verify-full")                          \
	X(TARGET_SSLROOTCERT, "target", "sslrootcert", "", 0,                                      \
	  "CA bundle; empty: the RDS CA bundle, downloaded once and cached")                       \
	X(MIGRATE_MODE, "migrate", "mode", "offline", 0,                                           \
	  "offline | live (logical replication, then a cutover)")                                  \
	X(MIGRATE_SCHEMA, "migrate", "schema", "copy", 0, "copy | file:PATH | skip")               \
	X(MIGRATE_DATA, "migrate", "data", "copy", 0, "copy | skip")                               \
	X(MIGRATE_JOBS, "migrate", "jobs", "2", 0, "parallel copy jobs 1-32")                      \
	X(MIGRATE_EXCLUDE_TABLES, "migrate", "exclude_tables", "", 0,                              \
	  "comma-separated schema.table names not to copy")                                        \
	X(MIGRATE_ROLE_PASSWORDS, "migrate", "role_passwords", "", 0,                              \
	  "file for new passwords of recreated roles (.pgpass, 0600); empty: none")                \
	X(MONITOR_EMAIL, "monitor", "email", "", 0,                                                \
	  "where the alarms' SNS topic sends (you confirm the mail); empty: no topic")             \
	X(MONITOR_CPU_PERCENT, "monitor", "cpu_percent", "80", 0,                                  \
	  "alarm when CPU is at or above this % for 15 min: 1-100, 0 no alarm")                    \
	X(MONITOR_FREE_STORAGE_PERCENT, "monitor", "free_storage_percent", "10", 0,                \
	  "alarm when free storage falls below this % of the allocated size: 1-99, 0 no alarm")    \
	X(MONITOR_FREEABLE_MEMORY_PERCENT, "monitor", "freeable_memory_percent", "10", 0,          \
	  "alarm when freeable memory falls below this % of the class's memory: 1-99, 0 no alarm") \
	X(MONITOR_CONNECTIONS_PERCENT, "monitor", "connections_percent", "80", 0,                  \
	  "alarm when connections reach this % of max_connections: 1-100, 0 no alarm")             \
	X(MONITOR_CPU_CREDIT_BALANCE, "monitor", "cpu_credit_balance", "20", 0,                    \
	  "burstable (t3/t4g) classes: alarm below this many CPU credits: 1-5000, 0 no alarm")     \
	X(MONITOR_READ_LATENCY_MS, "monitor", "read_latency_ms", "20", 0,                          \
	  "alarm when the average read latency is above this many ms: 1-10000, 0 no alarm")        \
	X(MONITOR_WRITE_LATENCY_MS, "monitor", "write_latency_ms", "20", 0,                        \
	  "alarm when the average write latency is above this many ms: 1-10000, 0 no alarm")       \
	X(MONITOR_PERFORMANCE_INSIGHTS, "monitor", "performance_insights", "false", 0,             \
	  "turn on Performance Insights, free tier (7 days of history, no charge) (true|false)")   \
	X(MONITOR_ENHANCED_MONITORING, "monitor", "enhanced_monitoring", "0", 0,                   \
	  "Enhanced Monitoring every N s: 0 off, 1, 5, 10, 15, 30 or 60 (billed as CloudWatch "    \
	  "Logs)")                                                                                 \
	X(MONITOR_MONITORING_ROLE, "monitor", "monitoring_role", "", 0,                            \
	  "IAM role ARN RDS uses for Enhanced Monitoring (AmazonRDSEnhancedMonitoringRole)")       \
	X(CUTOVER_STOP_COMMAND, "cutover", "stop_command", "", 0,                                  \
	  "shell command that stops the app's writes; empty: the source is made read-only")        \
	X(CUTOVER_START_COMMAND, "cutover", "start_command", "", 0,                                \
	  "shell command that starts the app again; it reads the new .env")                        \
	X(CUTOVER_HEALTH_URL, "cutover", "health_url", "", 0,                                      \
	  "http(s) URL that must answer 2xx after the start; empty: no check")                     \
	X(CUTOVER_HEALTH_TIMEOUT, "cutover", "health_timeout", "60", 0,                            \
	  "seconds the health check may take, 1-3600")                                             \
	X(CUTOVER_VERIFY, "cutover", "verify", "counts", 0,                                        \
	  "counts | full | none: what is compared while writes are stopped")                       \
	X(ENV_FILE, "env", "file", ".env", 0, "the application's .env file")                       \
	X(ENV_KEY, "env", "key", "DATABASE_URL", 0, "variable name: [A-Z_][A-Z0-9_]*")

enum config_key {
#define CONFIG_ENUM(id, sec, name, def, flags, help) CFG_##id,
	CONFIG_KEYS(CONFIG_ENUM)
#undef CONFIG_ENUM
		CFG_COUNT
};

enum config_flags {
	CFGF_SECRET = 1,     /* the whole value is a secret: never print it */
	CFGF_SECRET_URL = 2, /* a URL whose password part is a secret */
};

struct config_key_info {
	const char *section;
	const char *name;
	const char *def;
	unsigned flags;
	const char *help;
};

extern const struct config_key_info config_keys[CFG_COUNT];

/* A loaded configuration: every value is a heap string, never NULL. */
struct config {
	char *values[CFG_COUNT];
	int lines[CFG_COUNT];          /* line in the file, 0 when defaulted */
	char *path;                    /* the file it came from or will be saved to */
	bool from_file;                /* the file existed when loaded */
	char *env_value[CFG_COUNT];    /* set from the environment (config_apply_env) */
	char *file_value[CFG_COUNT];   /* what the file held under such a value */
	int unloaded[CFG_COUNT];       /* line of the key that did not load (0: none) */
	char *unloaded_why[CFG_COUNT]; /* why, for the screen that shows the key */
};

/* One problem found in a config: the key (section.name or a file), the value
 * (masked when secret), and the rule it breaks in words. */
struct problem {
	char *key;
	char *value;
	char *rule;
	int line;
};

struct problems {
	struct problem *v;
	size_t n;
};

void problems_add(struct problems *p, const char *key, const char *value, int line, const char *fmt,
		  ...) __attribute__((format(printf, 5, 6)));
void problems_free(struct problems *p);

/* Fill every key with its default. */
void config_init(struct config *cfg);
void config_free(struct config *cfg);

/* Read PATH over the defaults. A missing file is not an error when MISSING_OK.
 * Syntax problems (unknown key/section, over-long or malformed lines) go to
 * PROBS; returns -1 only when the file exists and cannot be read at all. */
int config_load(struct config *cfg, const char *path, bool missing_ok, struct problems *probs,
		char **cause);

/* Apply environment overrides (SOURCE_DATABASE_URL). */
void config_apply_env(struct config *cfg);
/* The value as the file holds it: a value that came from the environment
 * (and was not changed since) gives the file's own. config_save writes these:
 * what came from the environment is never saved. */
const char *config_file_value(const struct config *cfg, enum config_key k);

const char *config_get(const struct config *cfg, enum config_key k);
int config_set(struct config *cfg, enum config_key k, const char *value);
long config_int(const struct config *cfg, enum config_key k);
bool config_bool(const struct config *cfg, enum config_key k);
/* "section.name" of a key, in a static buffer per key. */
const char *config_key_name(enum config_key k);
/* The key for "section"+"name", or -1. */
int config_find(const char *section, const char *name);

/* Check one key's value against its rule, given the rest of CFG (some rules
 * depend on other keys). Returns 0, or -1 with the rule in words in RULE. */
int config_check_key(const struct config *cfg, enum config_key k, const char *value, char *rule,
		     size_t rulesz);
/* Check every key; append each problem. Returns the number found. */
size_t config_check(const struct config *cfg, struct problems *probs);

/* Write the settings to PATH (temp file, fsync, rename; mode 0600). Keeps the
 * comments and order of an existing file where keys are replaced in place. */
int config_save(const struct config *cfg, const char *path, char **cause);

/* The value as it may be shown: secrets masked, URL passwords masked. Caller frees. */
char *config_display_value(enum config_key k, const char *value);

#endif
