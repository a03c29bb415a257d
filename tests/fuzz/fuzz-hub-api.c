/* Operator API requests and registration bodies from the network, against an in-memory store.
 * The first byte picks the action, the rest is the body. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/api.h"
#include "hub/registration.h"
#include "hub/services/service_reconcile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const targets[] = {
	"AmazonSSM.CreateActivation",
	"AmazonEC2ContainerServiceV20141113.CreateCluster",
	"AmazonEC2ContainerServiceV20141113.DescribeClusters",
	"AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition",
	"AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition",
	"AmazonEC2ContainerServiceV20141113.RunTask",
	"AmazonEC2ContainerServiceV20141113.StopTask",
	"AmazonEC2ContainerServiceV20141113.DescribeTasks",
	"AmazonEC2ContainerServiceV20141113.ListTasks",
	"AmazonEC2ContainerServiceV20141113.ListContainerInstances",
	"AmazonEC2ContainerServiceV20141113.DescribeContainerInstances",
	"AmazonEC2ContainerServiceV20141113.DeregisterContainerInstance",
	"AWSEvents.PutRule",
	"AWSEvents.DescribeRule",
	"AWSEvents.ListRules",
	"AWSEvents.EnableRule",
	"AWSEvents.DisableRule",
	"AWSEvents.DeleteRule",
	"AWSEvents.PutTargets",
	"AWSEvents.ListTargetsByRule",
	"AWSEvents.RemoveTargets",
	"AmazonEC2ContainerServiceV20141113.Unknown",
	"AmazonEC2ContainerServiceV20141113.PutAttributes",
	"AmazonEC2ContainerServiceV20141113.DeleteAttributes",
	"AmazonEC2ContainerServiceV20141113.ListAttributes",
	"AmazonEC2ContainerServiceV20141113.DeleteCluster",
	"AmazonEC2ContainerServiceV20141113.ListTaskDefinitions",
	"AmazonEC2ContainerServiceV20141113.ListTaskDefinitionFamilies",
	"AmazonEC2ContainerServiceV20141113.DeregisterTaskDefinition",
	"AmazonEC2ContainerServiceV20141113.StartTask",
	"AmazonEC2ContainerServiceV20141113.TagResource",
	"AmazonEC2ContainerServiceV20141113.UntagResource",
	"AmazonEC2ContainerServiceV20141113.ListTagsForResource",
	"AmazonSSM.DescribeActivations",
	"AmazonSSM.DeleteActivation",
	"AmazonSSM.DescribeInstanceInformation",
	"AmazonSSM.DeregisterManagedInstance",
	"AmazonEC2ContainerServiceV20141113.UpdateContainerInstancesState",
	"AmazonEC2ContainerServiceV20141113.CreateService",
	"AmazonEC2ContainerServiceV20141113.UpdateService",
	"AmazonEC2ContainerServiceV20141113.DeleteService",
	"AmazonEC2ContainerServiceV20141113.DescribeServices",
	"AmazonEC2ContainerServiceV20141113.ListServices",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hub_store *store;
	if (!store) {
		struct error err = { 0 };
		if (hub_store_open(":memory:", &store, &err) < 0)
			abort();
	}
	if (size < 1)
		return 0;
	const char *body = (const char *)data + 1;
	size_t n = size - 1;
	char *answer = NULL;
	int status;
	/* 0xff picks registration, so that adding a target keeps the corpus's seeds meaning what
	 * they meant. */
	size_t pick = data[0] % (sizeof(targets) / sizeof(targets[0]));
	if (data[0] == 0xff) {
		char id[REGISTER_ID_MAX + 1];
		if (registration_activation_id(body, n, id) == 0 && strlen(id) > REGISTER_ID_MAX)
			abort();
		status = registration_handle(store, body, n, "127.0.0.1:8080", false, NULL, &answer);
	} else {
		status = api_dispatch(store, targets[pick], body, n, &answer);
	}
	if (status < 200 || status > 599 || !answer)
		abort();
	/* What a request stored, the service scheduler's pass then reads. */
	struct error err = { 0 };
	if (service_reconcile_all(store, SERVICE_DISCONNECT_GRACE_DEFAULT, &err) < 0)
		abort();
	free(answer);
	return 0;
}
