'use strict';

const isError = (fr) => fr.hasOwnProperty("errorType");
function fetchResultsToResponseWrapper(results) {
  const errors = [];
  const responses = [];
  for (const result of results) {
    if (isError(result)) {
      errors.push(result);
    } else {
      responses.push(result);
    }
  }
  return { errors, responses };
}
class KubernetesClientBasedFetcher {
  connection;
  constructor({ connection }) {
    this.connection = connection;
  }
  fetchObjectsForService(params) {
    const fetchResults = Array.from(params.objectTypesToFetch).concat(params.customResources).map(
      ({ objectType, group, apiVersion, plural }) => this.fetchResource(
        params.clusterDetails,
        params.credential,
        { group, apiVersion, plural },
        params.namespace,
        params.labelSelector
      ).then(
        (r) => r.ok ? r.json().then(
          ({ kind, items }) => ({
            type: objectType,
            resources: this.transformResources(
              { objectType, group, apiVersion, plural },
              kind,
              items
            )
          })
        ) : this.connection.handleUnsuccessfulResponse(
          params.clusterDetails.name,
          r
        )
      )
    );
    return Promise.all(fetchResults).then(fetchResultsToResponseWrapper);
  }
  async fetchPodMetricsByNamespaces(clusterDetails, credential, namespaces, labelSelector) {
    const fetchResults = Array.from(namespaces).map(
      (ns) => this.fetchPodMetricsForNamespace(
        clusterDetails,
        credential,
        ns,
        labelSelector
      )
    );
    return Promise.all(fetchResults).then(fetchResultsToResponseWrapper);
  }
  async fetchPodMetricsForNamespace(clusterDetails, credential, namespace, labelSelector) {
    const [podMetrics, podList] = await Promise.all([
      this.fetchResource(
        clusterDetails,
        credential,
        { group: "metrics.k8s.io", apiVersion: "v1beta1", plural: "pods" },
        namespace,
        labelSelector
      ),
      this.fetchResource(
        clusterDetails,
        credential,
        { group: "", apiVersion: "v1", plural: "pods" },
        namespace,
        labelSelector
      )
    ]);
    if (podMetrics.ok && podList.ok) {
      const { topPods } = await import('@kubernetes/client-node');
      return topPods(
        {
          listPodForAllNamespaces: () => podList.json()
        },
        {
          getPodMetrics: () => podMetrics.json()
        }
      ).then(
        (resources) => ({
          type: "podstatus",
          resources
        })
      );
    } else if (podMetrics.ok) {
      return this.connection.handleUnsuccessfulResponse(
        clusterDetails.name,
        podList
      );
    }
    return this.connection.handleUnsuccessfulResponse(
      clusterDetails.name,
      podMetrics
    );
  }
  async fetchResource(clusterDetails, credential, resource, namespace, labelSelector) {
    const resourcePath = this.connection.buildResourcePath(
      resource.group,
      resource.apiVersion,
      resource.plural,
      namespace
    );
    return this.connection.fetchWithConnection(
      clusterDetails,
      credential,
      resourcePath,
      labelSelector
    );
  }
  redactSecretData(items) {
    return items.map((item) => {
      const redacted = { ...item };
      if (item.data && typeof item.data === "object") {
        redacted.data = Object.fromEntries(
          Object.keys(item.data).map((key) => [key, "***"])
        );
      }
      if (item.stringData && typeof item.stringData === "object") {
        redacted.stringData = Object.fromEntries(
          Object.keys(item.stringData).map((key) => [key, "***"])
        );
      }
      return redacted;
    });
  }
  transformResources(resource, kind, items) {
    const itemKind = kind?.replace(/(List)$/, "");
    const containsSecrets = resource.objectType === "secrets" || itemKind === "Secret" || resource.group === "" && resource.apiVersion === "v1" && resource.plural === "secrets";
    const resources = containsSecrets ? this.redactSecretData(items) : items;
    if (resource.objectType === "customresources") {
      if (itemKind === void 0) {
        throw new Error(
          `Missing kind in response when fetching '${resource.plural}'`
        );
      }
      return resources.map((item) => ({
        ...item,
        kind: itemKind
      }));
    }
    return resources;
  }
}

exports.KubernetesClientBasedFetcher = KubernetesClientBasedFetcher;
