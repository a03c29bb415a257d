/* SSM DescribeActivations and DeleteActivation. A deleted activation registers no more nodes;
 * the nodes it registered stay, as in SSM. */
#include <errno.h>

#include "common/cleanup.h"
#include "hub/api_ssm_list.h"
#include "protocol/json_value.h"

#define DESCRIBE_ACTIVATIONS_MAX 50 /* SSM's MaxResults bound */

static const struct ssm_filter_key activation_keys[] = {
	{ "ActivationIds", "ActivationId" },
	{ "DefaultInstanceName", "DefaultInstanceName" },
	{ "IamRole", "IamRole" },
};

static cJSON *activation_json(sqlite3_stmt *st, double now)
{
	cJSON *a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "ActivationId", col_text(st, 0));
	if (sqlite3_column_type(st, 1) != SQLITE_NULL)
		cJSON_AddStringToObject(a, "Description", col_text(st, 1));
	if (sqlite3_column_type(st, 2) != SQLITE_NULL)
		cJSON_AddStringToObject(a, "DefaultInstanceName", col_text(st, 2));
	cJSON_AddStringToObject(a, "IamRole", col_text(st, 3));
	cJSON_AddNumberToObject(a, "RegistrationLimit", (double)sqlite3_column_int64(st, 4));
	cJSON_AddNumberToObject(a, "RegistrationsCount", (double)sqlite3_column_int64(st, 5));
	cJSON_AddNumberToObject(a, "ExpirationDate", sqlite3_column_double(st, 6));
	cJSON_AddBoolToObject(a, "Expired", sqlite3_column_double(st, 6) <= now);
	cJSON_AddNumberToObject(a, "CreatedDate", sqlite3_column_double(st, 7));
	return a;
}

int ssm_describe_activations(struct hub_store *s, const cJSON *req, cJSON **ret,
			     struct api_fault *f)
{
	struct ssm_filters filters = { 0 };
	if (ssm_filters_read(req, "Filters", "FilterKey", "FilterValues", activation_keys,
			     ELEMENTSOF(activation_keys), &filters, f) < 0)
		return -EINVAL;
	struct error err = { 0 };
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT id, description, default_instance_name, iam_role, registration_limit,"
		   " registrations, expires_at, created_at FROM activations ORDER BY created_at, id",
		&err);
	if (!st)
		return api_store_fail(f, &err);
	double now = hub_now();
	_cleanup_(cjson_deletep) cJSON *all = cJSON_CreateArray();
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *a = activation_json(st, now);
		if (ssm_filters_match(&filters, a))
			cJSON_AddItemToArray(all, a);
		else
			cJSON_Delete(a);
	}
	_cleanup_(cjson_deletep) cJSON *o = cJSON_CreateObject();
	if (ssm_page(req, all, "ActivationId", 1, DESCRIBE_ACTIVATIONS_MAX, o, "ActivationList",
		     f) < 0)
		return -EINVAL;
	*ret = TAKE_PTR(o);
	return 0;
}

int ssm_delete_activation(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	const char *id;
	if (api_opt_string(req, "ActivationId", &id, f) < 0)
		return f->type = "InvalidParameters", -EINVAL;
	if (!id)
		return api_fail(f, "InvalidParameters", "ActivationId is required");
	struct error err = { 0 };
	if (hub_store_exec_text(s, "DELETE FROM activations WHERE id = ?", &err, 1, id) < 0)
		return api_fail(f, "InternalServerError", "%s", err.message);
	if (sqlite3_changes(s->db) == 0)
		return api_fail(f, "InvalidActivationId",
				"The activation ID is not valid: no activation %.64s", id);
	*ret = cJSON_CreateObject();
	return 0;
}
