/* What rds-migrate knows of an RDS instance class from its name alone: its
 * memory, whether it bursts, and RDS for PostgreSQL's default
 * max_connections for it. */
#ifndef RDSM_RDS_CLASS_H
#define RDSM_RDS_CLASS_H

#include <stdbool.h>

/* The memory of an RDS instance class in MiB (db.t3.micro: 1024); 0 when
 * the class is not one this table knows. */
long rds_class_memory_mib(const char *cls);
/* Burstable classes (db.t2/t3/t4g), which spend CPU credits. */
bool rds_class_burstable(const char *cls);
/* RDS for PostgreSQL's default max_connections for CLS:
 * LEAST(DBInstanceClassMemory / 9531392, 5000), from the nominal memory
 * (RDS's own figure is a little lower); 0 when the memory is unknown. */
long rds_default_max_connections(const char *cls);

#endif
