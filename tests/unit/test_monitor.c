/* The monitor step's plan: which CloudWatch alarms an instance gets from
 * the [monitor] thresholds and its class and storage (no AWS). */
#include <string.h>

#include "config.h"
#include "monitor.h"
#include "rds_class.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static const struct monitor_instance micro = {.id = "db1",
					      .cls = "db.t3.micro",
					      .storage_gb = 20,
					      .max_connections = 100,
					      .topic = "arn:aws:sns:us-east-1:1:t"};

static void class_memory_follows_family_and_size(void **state)
{
	(void)state;
	assert_int_equal(rds_class_memory_mib("db.t3.micro"), 1024);
	assert_int_equal(rds_class_memory_mib("db.t4g.medium"), 4096);
	assert_int_equal(rds_class_memory_mib("db.m6g.large"), 8192);
	assert_int_equal(rds_class_memory_mib("db.r6i.2xlarge"), 65536);
	assert_int_equal(rds_class_memory_mib("db.x2g.xlarge"), 65536);
	assert_int_equal(rds_class_memory_mib("db.z1d.large"), 0); /* not in the table */
	assert_int_equal(rds_class_memory_mib("t3.micro"), 0);
	assert_true(rds_class_burstable("db.t4g.small"));
	assert_false(rds_class_burstable("db.m5.large"));
	/* LEAST(memory / 9531392, 5000) */
	assert_int_equal(rds_default_max_connections("db.t3.micro"), 112);
	assert_int_equal(rds_default_max_connections("db.r6g.16xlarge"), 5000);
}

static void default_thresholds_make_seven_alarms_on_a_burstable_class(void **state)
{
	(void)state;
	struct config cfg;
	config_init(&cfg);
	struct alarm_plan p[ALARM_KINDS];
	monitor_plan(&cfg, &micro, p);
	for (int k = 0; k < ALARM_KINDS; k++) {
		assert_true(p[k].wanted);
		assert_string_equal(p[k].alarm.instance, "db1");
		assert_string_equal(p[k].alarm.action, "arn:aws:sns:us-east-1:1:t");
	}
	assert_string_equal(p[ALARM_CPU].alarm.name, "rds-migrate-db1-cpu");
	assert_string_equal(p[ALARM_CPU].alarm.metric, "CPUUtilization");
	assert_true(p[ALARM_CPU].alarm.threshold == 80);
	assert_true(p[ALARM_FREE_STORAGE].alarm.threshold == 2147483648.0); /* 10% of 20 GiB */
	assert_true(p[ALARM_FREEABLE_MEMORY].alarm.threshold == 107374182.0);
	assert_true(p[ALARM_CONNECTIONS].alarm.threshold == 80);
	assert_true(p[ALARM_READ_LATENCY].alarm.threshold == 0.02); /* seconds */
	assert_string_equal(p[ALARM_FREE_STORAGE].alarm.comparison, "LessThanThreshold");
	assert_non_null(strstr(p[ALARM_CPU].what, "CPU at or above 80% for 15 min"));
	config_free(&cfg);
}

static void zero_or_an_unknown_size_means_no_alarm_and_says_why(void **state)
{
	(void)state;
	struct config cfg;
	config_init(&cfg);
	config_set(&cfg, CFG_MONITOR_CPU_PERCENT, "0");
	struct monitor_instance big = micro;
	big.cls = "db.z1d.large";
	big.max_connections = 0;
	big.topic = NULL;
	struct alarm_plan p[ALARM_KINDS];
	monitor_plan(&cfg, &big, p);
	assert_false(p[ALARM_CPU].wanted);
	assert_string_equal(p[ALARM_CPU].skip, "0 in the config: no alarm");
	assert_false(p[ALARM_CPU_CREDITS].wanted);
	assert_false(p[ALARM_FREEABLE_MEMORY].wanted);
	assert_false(p[ALARM_CONNECTIONS].wanted);
	assert_true(p[ALARM_FREE_STORAGE].wanted);
	assert_string_equal(p[ALARM_FREE_STORAGE].alarm.action, "");
	config_free(&cfg);
}

static void an_alarm_as_planned_is_the_same_and_a_changed_one_is_not(void **state)
{
	(void)state;
	struct config cfg;
	config_init(&cfg);
	struct alarm_plan p[ALARM_KINDS];
	monitor_plan(&cfg, &micro, p);
	struct cw_alarm have = p[ALARM_FREE_STORAGE].alarm;
	have.threshold += 1e-7; /* as CloudWatch writes a double back */
	assert_true(monitor_alarm_same(&p[ALARM_FREE_STORAGE].alarm, &have));
	have.threshold = 1;
	assert_false(monitor_alarm_same(&p[ALARM_FREE_STORAGE].alarm, &have));
	have = p[ALARM_CPU].alarm;
	have.action[0] = 0; /* no longer mails the topic */
	assert_false(monitor_alarm_same(&p[ALARM_CPU].alarm, &have));
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(class_memory_follows_family_and_size),
		cmocka_unit_test(default_thresholds_make_seven_alarms_on_a_burstable_class),
		cmocka_unit_test(zero_or_an_unknown_size_means_no_alarm_and_says_why),
		cmocka_unit_test(an_alarm_as_planned_is_the_same_and_a_changed_one_is_not),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
