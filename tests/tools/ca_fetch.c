/* ca_fetch: drive core/rds_ca.c from the shell tests.
 *   ca_fetch ensure      rds_ca_ensure(): the bundle's path on stdout, exit 0;
 *                        the cause on stderr, exit 1
 *   ca_fetch path        rds_ca_cache_path() on stdout
 *   ca_fetch check FILE  rds_ca_check_pem() on FILE's bytes: exit 0 or 1 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rds_ca.h"
#include "util.h"

int main(int argc, char **argv)
{
	char *cause = NULL;
	int rc = 1;
	if (argc == 2 && strcmp(argv[1], "ensure") == 0) {
		char *path = NULL;
		if (rds_ca_ensure(getenv(RDS_CA_URL_ENV), &path, &cause) == 0) {
			printf("%s\n", path);
			rc = 0;
		}
		free(path);
	} else if (argc == 2 && strcmp(argv[1], "path") == 0) {
		char *path = rds_ca_cache_path(&cause);
		if (path) {
			printf("%s\n", path);
			rc = 0;
		}
		free(path);
	} else if (argc == 3 && strcmp(argv[1], "check") == 0) {
		size_t len = 0;
		char *data = read_file(argv[2], &len, &cause);
		if (data && rds_ca_check_pem(data, len, &cause) == 0)
			rc = 0;
		free(data);
	} else {
		fputs("usage: ca_fetch ensure | path | check FILE\n", stderr);
		return 2;
	}
	if (cause)
		fprintf(stderr, "ca_fetch: %s\n", cause);
	free(cause);
	return rc;
}
