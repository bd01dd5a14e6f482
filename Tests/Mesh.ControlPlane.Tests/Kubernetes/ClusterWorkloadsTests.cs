using k8s;
using k8s.Models;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Kubernetes;
using Mesh.ControlPlane.Registry;

namespace Mesh.ControlPlane.Tests.Kubernetes;

/// <summary>
/// The registry's workloads from EndpointSlices and Pods: what makes a pod a workload, its
/// readiness across the Services it serves, and the slices that name no pod.
/// </summary>
public sealed class ClusterWorkloadsTests
{
    [Fact]
    public void A_pod_behind_two_Services_is_one_workload_not_ready_when_either_says_so()
    {
        var pods = Index(Pod("reviews-v1-5d8f-abcde"));
        var slices = Index(
            Slice("reviews", "IPv4", ("reviews-v1-5d8f-abcde", "ready: true")),
            Slice("reviews-v1", "IPv4", ("reviews-v1-5d8f-abcde", "ready: true, terminating: true")));

        var workload = Assert.Single(Build(pods, slices));
        Assert.False(workload.Ready);
        Assert.Equal(["reviews", "reviews-v1"], workload.Node.Services.Select(s => s.Name));
        Assert.Equal(("reviews-v1", "default", "bookinfo-reviews", ProxyMode.Unspecified), (workload.Node.Workload, workload.Node.Namespace, workload.Node.ServiceAccount, workload.Node.Mode));
        Assert.Equal("10.0.0.1", workload.Node.Address);
        Assert.Equal("zone-a", workload.Node.Labels["topology.kubernetes.io/zone"]);
    }

    [Fact]
    public void Endpoints_without_a_known_pod_and_FQDN_slices_make_no_workload()
    {
        var slices = Index(
            Slice("reviews", "IPv4", ("reviews-v1-5d8f-abcde", "ready: true")),
            Slice("external", "FQDN", ("reviews-v1-5d8f-abcde", "ready: true")));

        // The pod's own watch event has not come yet: nothing; once it has, the one IPv4 Service.
        Assert.Empty(Build(Index<V1Pod>(), slices));
        var workload = Assert.Single(Build(Index(Pod("reviews-v1-5d8f-abcde")), slices));
        Assert.Equal(["reviews"], workload.Node.Services.Select(s => s.Name));
        Assert.True(workload.Ready);
    }

    private static List<WorkloadInstance> Build(IReadOnlyDictionary<string, V1Pod> pods, IReadOnlyDictionary<string, V1EndpointSlice> slices) =>
        [.. ClusterWorkloads.Build(pods, slices)];

    private static Dictionary<string, T> Index<T>(params T[] objects)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        objects.ToDictionary(KubernetesObjectWatcher<T>.KeyOf, StringComparer.Ordinal);

    private static V1Pod Pod(string name) => KubernetesYaml.Deserialize<V1Pod>($$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{name}}
          namespace: default
          labels: {app: reviews, version: v1, pod-template-hash: 5d8f}
          ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: reviews-v1-5d8f, uid: u1, controller: true}]
        spec:
          serviceAccountName: bookinfo-reviews
          containers: [{name: app, image: example/reviews}]
        """);

    private static V1EndpointSlice Slice(string service, string addressType, params (string Pod, string Conditions)[] endpoints) =>
        KubernetesYaml.Deserialize<V1EndpointSlice>(ClusterYaml.EndpointSlice(service, 9080, addressType, [.. endpoints.Select(e => (e.Pod, "10.0.0.1", e.Conditions))]));
}
