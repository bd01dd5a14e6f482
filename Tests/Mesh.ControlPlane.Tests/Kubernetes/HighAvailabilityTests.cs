using System.Net;
using Grpc.Core;
using Mesh.Config.Model;
using Mesh.Contracts.Discovery;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Kubernetes;
using Mesh.ControlPlane.Tests.Infrastructure;

namespace Mesh.ControlPlane.Tests.Kubernetes;

/// <summary>
/// Two control-plane replicas on one (fake) API server, as a Deployment with
/// <c>ControlPlaneReplicas: 2</c> runs them: the registry comes from EndpointSlices and Pods, so a
/// proxy on either replica sees every endpoint and every EndpointSlice change; one replica leads
/// (a Lease) and writes status, and the other takes over when it stops.
/// </summary>
public sealed class HighAvailabilityTests
{
    private const string Audience = "mesh-controlplane";
    private const string Reviews = "reviews.default.svc.cluster.local";
    private const string Ratings = "ratings.default.svc.cluster.local";

    [Fact]
    public async Task Proxies_on_either_replica_see_every_endpoint_and_every_EndpointSlice_change()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        foreach (var (pod, app) in new[] { ("productpage-v1-a", "productpage"), ("reviews-v1-a", "reviews"), ("reviews-v2-a", "reviews"), ("ratings-v1-a", "ratings") })
        {
            api.ApplyObject(FakeKubernetesApiServer.Pods, Pod(pod, app));
            api.AddToken(pod, $"system:serviceaccount:default:bookinfo-{app}", [Audience], podName: pod);
        }

        api.ApplyObject(FakeKubernetesApiServer.EndpointSlices, Slice("reviews", ("reviews-v1-a", "10.0.0.1", "ready: true")));
        api.ApplyObject(FakeKubernetesApiServer.EndpointSlices, Slice("ratings", ("ratings-v1-a", "10.0.0.2", "ready: true")));
        await using var first = await KubernetesControlPlane.StartAsync(api);
        await using var second = await KubernetesControlPlane.StartAsync(api);

        // Split between the replicas; each registers only with its own.
        await using var productpage = await AuthenticatedProxy.ConnectAsync(first, "productpage-v1-a", "productpage");
        await using var reviews = await AuthenticatedProxy.ConnectAsync(second, "reviews-v1-a", "reviews");
        await using var ratings = await AuthenticatedProxy.ConnectAsync(second, "ratings-v1-a", "ratings");
        AuthenticatedProxy[] proxies = [productpage, reviews, ratings];
        foreach (var proxy in proxies)
        {
            var snapshot = await proxy.NextWhereAsync(s => Endpoints(s, Reviews).Count == 1 && Endpoints(s, Ratings).Count == 1);
            // The Service targets the sidecar's inbound listener: the endpoint is that port, over mTLS.
            var endpoint = Endpoints(snapshot, Reviews).Single();
            Assert.Equal(("10.0.0.1", 15006u, true, "reviews-v1"), (endpoint.Address, endpoint.Port, endpoint.Mtls, endpoint.Workload));
            Assert.Equal("spiffe://cluster.local/ns/default/sa/bookinfo-reviews", endpoint.Identity);
            Assert.Equal("zone-a", endpoint.Locality.Split('/')[1]);
        }

        // A new ready endpoint (a scale-up) reaches the proxies of both replicas.
        api.ApplyObject(FakeKubernetesApiServer.EndpointSlices, Slice("reviews", ("reviews-v1-a", "10.0.0.1", "ready: true"), ("reviews-v2-a", "10.0.0.3", "ready: true")));
        foreach (var proxy in proxies)
        {
            await proxy.NextWhereAsync(s => Addresses(s, Reviews) == "10.0.0.1,10.0.0.3");
        }

        // A terminating endpoint (a rolling restart) and a not-ready one leave the load-balancing set.
        api.ApplyObject(FakeKubernetesApiServer.EndpointSlices, Slice("reviews", ("reviews-v1-a", "10.0.0.1", "ready: false, serving: true, terminating: true"), ("reviews-v2-a", "10.0.0.3", "ready: true")));
        foreach (var proxy in proxies)
        {
            await proxy.NextWhereAsync(s => Addresses(s, Reviews) == "10.0.0.3");
        }

        api.ApplyObject(FakeKubernetesApiServer.EndpointSlices, Slice("ratings", ("ratings-v1-a", "10.0.0.2", "ready: false")));
        foreach (var proxy in proxies)
        {
            await proxy.NextWhereAsync(s => Addresses(s, Ratings) == "" && Addresses(s, Reviews) == "10.0.0.3");
        }
    }

    [Fact]
    public async Task A_pod_without_a_proxy_is_a_plaintext_endpoint_on_the_EndpointSlice_port()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.ApplyObject(FakeKubernetesApiServer.Pods, Pod("productpage-v1-a", "productpage"));
        api.AddToken("productpage-v1-a", "system:serviceaccount:default:bookinfo-productpage", [Audience], podName: "productpage-v1-a");
        api.ApplyObject(FakeKubernetesApiServer.Pods, Pod("details-v1-a", "details", proxy: false));
        api.ApplyObject(FakeKubernetesApiServer.EndpointSlices, Slice("details", 9080, ("details-v1-a", "10.0.0.4", "ready: true")));
        await using var controlPlane = await KubernetesControlPlane.StartAsync(api);

        await using var productpage = await AuthenticatedProxy.ConnectAsync(controlPlane, "productpage-v1-a", "productpage");
        var snapshot = await productpage.NextWhereAsync(s => Endpoints(s, "details.default.svc.cluster.local").Count == 1);
        var endpoint = Endpoints(snapshot, "details.default.svc.cluster.local").Single();
        Assert.Equal(("10.0.0.4", 9080u, false, "details-v1"), (endpoint.Address, endpoint.Port, endpoint.Mtls, endpoint.Workload));
    }

    [Fact]
    public async Task One_replica_leads_writing_status_and_the_other_takes_over_when_it_stops()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.Apply(ConfigKinds.VirtualService, VirtualService("reviews-route"));
        string[] lease = ["--ControlPlane:Kubernetes:LeaseDuration=00:00:04", "--ControlPlane:Kubernetes:LeaseRenewDeadline=00:00:03", "--ControlPlane:Kubernetes:LeaseRetryPeriod=00:00:00.200"];
        var first = await KubernetesControlPlane.StartAsync(api, lease);
        await using var second = await KubernetesControlPlane.StartAsync(api, lease);
        try
        {
            var leader = first.Service<KubernetesLeaderElection>();
            var follower = second.Service<KubernetesLeaderElection>();
            await Poll.ForAsync("the first replica leading", () => Task.FromResult(api.LeaseHolder("istio-system", "mesh-controlplane-leader")), h => h == leader.Identity);
            Assert.False(follower.IsLeader);
            await Poll.ForAsync("the leader's status", () => Task.FromResult(api.AcceptedCondition(ConfigKinds.VirtualService, "default", "reviews-route").Status), s => s == "True");

            // The follower adopted the CA the leader stored instead of minting its own root.
            var root = await File.ReadAllTextAsync(Path.Combine(first.DataDirectory, "ca", "root-cert.pem"));
            Assert.Equal(root, await File.ReadAllTextAsync(Path.Combine(second.DataDirectory, "ca", "root-cert.pem")));

            // The follower reconciles (it serves the same config) but does not write status.
            api.Apply(ConfigKinds.VirtualService, VirtualService("ratings-route"));
            await Poll.ForAsync("the ratings route in the follower's config", () => Task.FromResult(second.Store().Current.Entries.ContainsKey("VirtualService/default/ratings-route")), found => found);
            await Poll.ForAsync("the leader's status of the new route", () => Task.FromResult(api.AcceptedCondition(ConfigKinds.VirtualService, "default", "ratings-route").Status), s => s == "True");

            await first.DisposeAsync();
            await Poll.ForAsync("the second replica leading", () => Task.FromResult(follower.IsLeader), leading => leading);
            Assert.Equal(follower.Identity, api.LeaseHolder("istio-system", "mesh-controlplane-leader"));

            // Status is written again, now by the only replica left.
            api.Apply(ConfigKinds.VirtualService, VirtualService("details-route"));
            await Poll.ForAsync("the new leader's status", () => Task.FromResult(api.AcceptedCondition(ConfigKinds.VirtualService, "default", "details-route").Status), s => s == "True");
            Assert.Equal(HttpStatusCode.OK, (await second.Admin.GetAsync("/readyz")).StatusCode);
        }
        finally
        {
            await first.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_leader_that_died_holding_the_Lease_is_replaced_once_the_Lease_runs_out()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.Apply(ConfigKinds.VirtualService, VirtualService("reviews-route"));
        // No mesh-ca Secret yet, and a Lease its dead holder will never renew nor give up.
        var renewed = DateTime.UtcNow;
        api.PutLease("istio-system", "mesh-controlplane-leader", "controlplane-dead_0", renewed, durationSeconds: 2);

        await using var controlPlane = await KubernetesControlPlane.StartAsync(
            api, "--ControlPlane:Kubernetes:LeaseDuration=00:00:02", "--ControlPlane:Kubernetes:LeaseRenewDeadline=00:00:01.500", "--ControlPlane:Kubernetes:LeaseRetryPeriod=00:00:00.200");
        var leadership = controlPlane.Service<KubernetesLeaderElection>();
        await Poll.ForAsync("the replica leading", () => Task.FromResult(api.LeaseHolder("istio-system", "mesh-controlplane-leader")), h => h == leadership.Identity);

        // It took over only once the dead holder's Lease had run out, counting one transition.
        var spec = api.Lease("istio-system", "mesh-controlplane-leader")!["spec"]!;
        var acquired = DateTime.Parse(spec["acquireTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);
        Assert.True(acquired - renewed >= TimeSpan.FromSeconds(2), $"acquired {acquired:O}, {acquired - renewed} after the last renewal");
        Assert.Equal(1, spec["leaseTransitions"]!.GetValue<int>());

        // What the dead leader left undone: the CA's Secret and the status.
        await Poll.ForAsync("the mesh-ca Secret", () => api.Secret("istio-system", "mesh-ca"), s => s is not null);
        await Poll.ForAsync("the status", () => Task.FromResult(api.AcceptedCondition(ConfigKinds.VirtualService, "default", "reviews-route").Status), s => s == "True");
    }

    private static List<Endpoint> Endpoints(ProxySnapshot snapshot, string service) =>
        [.. snapshot.Clusters.Where(c => c.Service == service && c.Port == 9080 && c.Subset == "").SelectMany(c => c.Endpoints)];

    private static string Addresses(ProxySnapshot snapshot, string service) =>
        string.Join(",", Endpoints(snapshot, service).Select(e => e.Address).Order(StringComparer.Ordinal));

    private static string VirtualService(string name) => $$"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: {{name}}, namespace: default}
        spec:
          hosts: [{{name}}.example.com]
          http:
          - route:
            - destination: {host: reviews}
        """;

    /// <summary>A pod as the Kubernetes publish step makes it: the sidecar declares its inbound listener 15006 for service port 9080.</summary>
    private static string Pod(string name, string app, bool proxy = true)
    {
        var workload = name[..name.LastIndexOf('-')];
        var sidecar = proxy
            ? $$"""
                initContainers:
                - name: mesh-sidecar
                  restartPolicy: Always
                  env:
                  - {name: Mesh__Mode, value: Sidecar}
                  - {name: Mesh__Node__Workload, value: {{workload}}}
                  - {name: Mesh__AdminPort, value: "15000"}
                  - {name: Mesh__Inbound__0__Name, value: http}
                  - {name: Mesh__Inbound__0__Port, value: "9080"}
                  - {name: Mesh__Inbound__0__Protocol, value: HTTP}
                  - {name: Mesh__Inbound__0__ListenPort, value: "15006"}
                  - {name: Mesh__Inbound__0__TargetPort, value: "9080"}
              """
            : "";
        return $$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: {{name}}
              namespace: default
              labels: {app: {{app}}, version: {{workload.Split('-')[^1]}}, pod-template-hash: 5d8f}
              ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: {{workload}}-5d8f, uid: u1, controller: true}]
            spec:
              serviceAccountName: bookinfo-{{app}}
            {{sidecar}}
              containers:
              - name: app
                image: example/{{app}}
            """;
    }

    private static string Slice(string service, params (string Pod, string Address, string Conditions)[] endpoints) =>
        Slice(service, 15006, endpoints);

    private static string Slice(string service, int port, params (string Pod, string Address, string Conditions)[] endpoints) =>
        ClusterYaml.EndpointSlice(service, port, "IPv4", endpoints);

    /// <summary>A proxy's discovery stream with its pod's service account token, as on a cluster.</summary>
    private sealed class AuthenticatedProxy(AsyncDuplexStreamingCall<ProxyMessage, ProxySnapshot> call) : IAsyncDisposable
    {
        public static async Task<AuthenticatedProxy> ConnectAsync(TestControlPlane controlPlane, string pod, string app)
        {
            var call = controlPlane.Discovery.StreamSnapshots(new Metadata { { "authorization", "Bearer " + pod } });
            var node = TestProxy.NodeFor(pod, n =>
            {
                n.Workload = pod[..pod.LastIndexOf('-')];
                n.ServiceAccount = "bookinfo-" + app;
                n.Labels["app"] = app;
            });
            await call.RequestStream.WriteAsync(new ProxyMessage { Hello = new Hello { Node = node } });
            return new AuthenticatedProxy(call);
        }

        /// <summary>The first snapshot satisfying <paramref name="condition"/>, ACKing each as a proxy does.</summary>
        public async Task<ProxySnapshot> NextWhereAsync(Func<ProxySnapshot, bool> condition)
        {
            using var cancel = new CancellationTokenSource(Poll.DefaultBudget);
            while (await call.ResponseStream.MoveNext(cancel.Token))
            {
                var snapshot = call.ResponseStream.Current;
                await call.RequestStream.WriteAsync(new ProxyMessage { Ack = new Ack { Version = snapshot.Version } });
                if (condition(snapshot))
                {
                    return snapshot;
                }
            }

            throw new InvalidOperationException("the control plane ended the stream");
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await call.RequestStream.CompleteAsync();
            }
            catch (Exception ex) when (ex is RpcException or InvalidOperationException)
            {
            }

            call.Dispose();
        }
    }
}
