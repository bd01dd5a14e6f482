using k8s;
using k8s.Models;
using Mesh.Hosting.Tests.Infrastructure;

namespace Mesh.Hosting.Tests;

/// <summary>
/// What the published Bookinfo manifests mean on a cluster: traffic enters pods through the
/// sidecar, apps reach upstreams through their sidecar, sidecars are native and identify pods from
/// the downward API, every app has its own identity, and RBAC grants only what the control plane uses.
/// </summary>
public sealed class PublishedBookinfoTests(BookinfoPublishFixture bookinfo) : IClassFixture<BookinfoPublishFixture>
{
    private T Load<T>(string path) => KubernetesYaml.Deserialize<T>(bookinfo.Files[path]);

    private static Dictionary<string, string?> Env(V1Container container) => container.Env.ToDictionary(e => e.Name, e => (string?)e.Value);

    [Fact]
    public void The_sidecar_is_a_native_sidecar_the_app_waits_for()
    {
        var pod = Load<V1Deployment>("workloads/deployment-reviews-v2.yaml").Spec.Template.Spec;
        var sidecar = Assert.Single(pod.InitContainers);
        Assert.Equal("Always", sidecar.RestartPolicy);
        Assert.Equal("/ready", sidecar.StartupProbe.HttpGet.Path);
        Assert.Equal("registry.example.com/mesh/mesh-sidecar:1.0.0", sidecar.Image);
        Assert.Equal("registry.example.com/mesh/bookinfo-reviews:1.0.0", Assert.Single(pod.Containers).Image);
        Assert.NotNull(sidecar.Resources.Requests);
        Assert.NotNull(pod.Containers[0].ReadinessProbe);
    }

    [Fact]
    public void Sidecars_identify_their_pod_from_the_downward_API_and_dial_the_control_plane_service()
    {
        var sidecar = Load<V1Deployment>("workloads/deployment-reviews-v2.yaml").Spec.Template.Spec.InitContainers[0];
        var fields = sidecar.Env.Where(e => e.ValueFrom?.FieldRef is not null).ToDictionary(e => e.Name, e => e.ValueFrom.FieldRef.FieldPath);
        Assert.Equal("metadata.name", fields["Mesh__Node__Id"]);
        Assert.Equal("metadata.namespace", fields["Mesh__Node__Namespace"]);
        Assert.Equal("spec.serviceAccountName", fields["Mesh__Node__ServiceAccount"]);
        Assert.Equal("status.podIP", fields["Mesh__Node__Address"]);
        var env = Env(sidecar);
        Assert.Equal("http://controlplane.istio-system.svc:15012", env["Mesh__ControlPlane__Address"]);
        Assert.Equal("reviews", env["Mesh__Node__Labels__app"]);
        Assert.Equal("v2", env["Mesh__Node__Labels__version"]);
        Assert.Equal("0.0.0.0", env["Mesh__BindAddress"]);
    }

    [Fact]
    public void Services_target_the_sidecar_inbound_listener_which_forwards_to_the_app_port()
    {
        var service = Load<V1Service>("workloads/service-ratings.yaml");
        Assert.Equal(["http", "grpc"], service.Spec.Ports.Select(p => p.Name));
        Assert.Equal(["http", "grpc"], service.Spec.Ports.Select(p => p.AppProtocol));
        Assert.Equal([9080, 9090], service.Spec.Ports.Select(p => p.Port));

        var pod = Load<V1Deployment>("workloads/deployment-ratings.yaml").Spec.Template.Spec;
        var sidecar = Env(pod.InitContainers[0]);
        var appPorts = pod.Containers[0].Ports.ToDictionary(p => p.Name, p => p.ContainerPort);
        foreach (var (port, index) in service.Spec.Ports.Select((p, i) => (p, i)))
        {
            Assert.Equal(port.TargetPort.Value, sidecar[$"Mesh__Inbound__{index}__ListenPort"]);
            Assert.Equal(port.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), sidecar[$"Mesh__Inbound__{index}__Port"]);
            Assert.Equal(appPorts[port.Name].ToString(System.Globalization.CultureInfo.InvariantCulture), sidecar[$"Mesh__Inbound__{index}__TargetPort"]);
        }

        // Kestrel listens on those fixed ports on loopback (h2c for gRPC): only the sidecar reaches it.
        var app = Env(pod.Containers[0]);
        Assert.Equal($"http://127.0.0.1:{appPorts["grpc"]}", app["Kestrel__Endpoints__Grpc__Url"]);
        Assert.Equal("Http2", app["Kestrel__Endpoints__Grpc__Protocols"]);

        var policy = Load<V1NetworkPolicy>("workloads/networkpolicy-ratings.yaml");
        Assert.Equal(service.Spec.Ports.Select(p => p.TargetPort.Value), policy.Spec.Ingress.Single().Ports.Select(p => p.Port.Value));
    }

    [Fact]
    public void Per_version_Services_of_the_config_are_Services_that_enter_their_version_through_the_sidecar()
    {
        var reviews = Load<V1Service>("workloads/service-reviews.yaml");
        var v2 = Load<V1Service>("workloads/service-reviews-v2.yaml");
        Assert.Equal("bookinfo", v2.Metadata.NamespaceProperty);
        Assert.Equal(new Dictionary<string, string> { ["app"] = "reviews", ["version"] = "v2" }, v2.Spec.Selector);
        var port = Assert.Single(v2.Spec.Ports);
        Assert.Equal(("http", 9080), (port.Name, port.Port));
        // Istio's file has no targetPort (the app's 9080); here the pod is entered at the sidecar's inbound listener.
        Assert.Equal(reviews.Spec.Ports.Single().TargetPort.Value, port.TargetPort.Value);
        Assert.DoesNotContain(bookinfo.Files.Keys, f => f.StartsWith("mesh-config/service-", StringComparison.Ordinal));
        Assert.Contains("workloads/service-productpage-v1.yaml", bookinfo.Files.Keys);
    }

    [Fact]
    public void Apps_reach_upstreams_through_their_own_sidecar()
    {
        var pod = Load<V1Deployment>("workloads/deployment-productpage.yaml").Spec.Template.Spec;
        var app = Env(pod.Containers[0]);
        var sidecar = Env(pod.InitContainers[0]);
        var outbound = Enumerable.Range(0, 2).ToDictionary(i => sidecar[$"Mesh__Outbound__{i}__Host"]!, i => sidecar[$"Mesh__Outbound__{i}__ListenPort"]);
        Assert.Equal($"http://127.0.0.1:{outbound["reviews"]}", app["services__reviews__http__0"]);
        Assert.Equal($"http://127.0.0.1:{outbound["details"]}", app["services__details__http__0"]);
        Assert.Equal(2, Load<V1Deployment>("workloads/deployment-productpage.yaml").Spec.Replicas);
    }

    [Fact]
    public void A_resource_with_replicas_is_one_deployment_with_that_many_pods_and_one_sidecar_each()
    {
        // details has WithReplicas(2), as in the AppHost: locally two sidecars (details-sidecar-0/-1),
        // on Kubernetes one Deployment whose every pod has the one sidecar of its own.
        var deployment = Load<V1Deployment>("workloads/deployment-details.yaml");
        Assert.Equal(2, deployment.Spec.Replicas);
        Assert.Single(deployment.Spec.Template.Spec.InitContainers);
        Assert.DoesNotContain(bookinfo.Files.Keys, f => f.Contains("details-sidecar", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_app_has_its_own_service_account_shared_only_by_its_versions()
    {
        var accounts = new[] { "details", "ratings", "reviews-v1", "reviews-v2", "reviews-v3", "productpage" }
            .ToDictionary(n => n, n => Load<V1Deployment>($"workloads/deployment-{n}.yaml").Spec.Template.Spec.ServiceAccountName);
        Assert.Equal("bookinfo-reviews", accounts["reviews-v1"]);
        Assert.Equal(accounts["reviews-v1"], accounts["reviews-v3"]);
        Assert.Equal(4, accounts.Values.Distinct().Count());
        Assert.All(accounts.Values, a => Assert.True(bookinfo.Files.ContainsKey($"workloads/serviceaccount-{a}.yaml")));
    }

    [Fact]
    public void The_control_plane_gets_least_privilege()
    {
        var role = Load<V1ClusterRole>("controlplane/clusterrole.yaml");
        Assert.DoesNotContain(role.Rules, r => r.Verbs.Contains("*") || r.Resources.Contains("*") || r.ApiGroups.Contains("*"));
        Assert.Equal(
            ["create", "get", "list", "patch", "update", "watch"],
            role.Rules.SelectMany(r => r.Verbs).Distinct().Order());
        Assert.Contains(role.Rules, r => r.Resources.SequenceEqual(["tokenreviews"]) && r.Verbs.SequenceEqual(["create"]));
        Assert.Contains(role.Rules, r => r.Resources.Contains("virtualservices/status") && !r.Verbs.Contains("create"));
        // The Gateway API's kinds and their status, in their own group.
        Assert.Contains(role.Rules, r => r.ApiGroups.SequenceEqual(["gateway.networking.k8s.io"]) && r.Resources.Contains("httproutes") && r.Verbs.Contains("watch"));
        Assert.Contains(role.Rules, r => r.ApiGroups.SequenceEqual(["gateway.networking.k8s.io"]) && r.Resources.Contains("gateways/status") && r.Verbs.Contains("patch"));
        Assert.DoesNotContain(role.Rules, r => r.Resources.Any(x => x is "secrets" or "configmaps" or "nodes" or "services"));
        // The registry: EndpointSlices and Pods, read-only (Istio's Kubernetes registry).
        Assert.Equal(
            [("discovery.k8s.io", "endpointslices"), ("", "pods")],
            role.Rules.Where(r => r.Resources.Contains("endpointslices") || r.Resources.Contains("pods"))
                .Select(r => (r.ApiGroups.Single(), r.Resources.Single())));
        Assert.All(
            role.Rules.Where(r => r.Resources.Contains("endpointslices") || r.Resources.Contains("pods")),
            r => Assert.Equal(["get", "list", "watch"], r.Verbs));

        // Leader election: the one Lease of its own namespace (create cannot name it).
        var leaseRole = Load<V1Role>("controlplane/role-leader-election.yaml");
        Assert.Equal("istio-system", leaseRole.Metadata.NamespaceProperty);
        Assert.Equal(
            [("create", ""), ("get", "mesh-controlplane-leader"), ("update", "mesh-controlplane-leader")],
            leaseRole.Rules.SelectMany(r => r.Verbs.Select(v => (v, r.ResourceNames?.Single() ?? ""))).Order());
        Assert.All(leaseRole.Rules, r => Assert.Equal(("coordination.k8s.io", "leases"), (r.ApiGroups.Single(), r.Resources.Single())));
        Assert.Equal("mesh-controlplane-leader", Env(Load<V1Deployment>("controlplane/deployment.yaml").Spec.Template.Spec.Containers[0])["ControlPlane__Kubernetes__LeaseName"]);

        var caRole = Load<V1Role>("controlplane/role.yaml");
        Assert.Equal("istio-system", caRole.Metadata.NamespaceProperty);
        Assert.All(caRole.Rules.Where(r => !r.Verbs.SequenceEqual(["create"])), r => Assert.Equal(["mesh-ca"], r.ResourceNames));

        // Gateway credentials: read-only Secrets of the gateway's namespace only.
        var credentialRole = Load<V1Role>("controlplane/role-credentials.yaml");
        Assert.Equal("bookinfo", credentialRole.Metadata.NamespaceProperty);
        Assert.Equal(["get", "list", "watch"], credentialRole.Rules.Single(r => r.Resources.SequenceEqual(["secrets"])).Verbs);

        var controlPlane = Load<V1Deployment>("controlplane/deployment.yaml").Spec.Template.Spec.Containers[0];
        Assert.Equal("Kubernetes", Env(controlPlane)["ControlPlane__Mode"]);
        Assert.Equal("bookinfo", Env(controlPlane)["ControlPlane__Kubernetes__CredentialNamespaces__0"]);
        Assert.Equal("bookinfo", Env(controlPlane)["ControlPlane__DefaultNamespace"]);
    }

    [Fact]
    public void Two_control_plane_replicas_get_a_disruption_budget_and_spread_over_nodes()
    {
        // The fixture publishes with ControlPlaneReplicas=2.
        var deployment = Load<V1Deployment>("controlplane/deployment.yaml");
        Assert.Equal(2, deployment.Spec.Replicas);
        var spread = Assert.Single(deployment.Spec.Template.Spec.TopologySpreadConstraints);
        Assert.Equal(("kubernetes.io/hostname", "ScheduleAnyway"), (spread.TopologyKey, spread.WhenUnsatisfiable));
        Assert.Equal(deployment.Spec.Selector.MatchLabels, spread.LabelSelector.MatchLabels);

        var budget = Load<V1PodDisruptionBudget>("controlplane/poddisruptionbudget.yaml");
        Assert.Equal("istio-system", budget.Metadata.NamespaceProperty);
        Assert.Equal("1", budget.Spec.MinAvailable.Value);
        Assert.Equal(deployment.Spec.Selector.MatchLabels, budget.Spec.Selector.MatchLabels);
        Assert.Contains("- controlplane/poddisruptionbudget.yaml", bookinfo.Files["kustomization.yaml"], StringComparison.Ordinal);
    }

    [Fact]
    public void A_gateway_api_gateway_gets_its_own_proxy_deployment_and_service_as_istio_deploys_it()
    {
        // Istio's samples/bookinfo/gateway-api/bookinfo-gateway.yaml: listener http on port 80.
        var service = Load<V1Service>("gateways/service-bookinfo-gateway-istio.yaml");
        Assert.Equal("bookinfo", service.Metadata.NamespaceProperty);
        Assert.Equal("LoadBalancer", service.Spec.Type);
        Assert.Equal([("http", 80, 80)], service.Spec.Ports.Select(p => (p.Name, p.Port, int.Parse(p.TargetPort.Value, System.Globalization.CultureInfo.InvariantCulture))));
        Assert.Equal("bookinfo-gateway", service.Spec.Selector["gateway.networking.k8s.io/gateway-name"]);

        var deployment = Load<V1Deployment>("gateways/deployment-bookinfo-gateway-istio.yaml");
        var pod = deployment.Spec.Template.Spec;
        Assert.Equal("bookinfo-gateway-istio", pod.ServiceAccountName);
        // The label by which the control plane hands the proxy this Gateway: a key no environment variable can carry.
        Assert.Contains("--Mesh:Node:Labels:gateway.networking.k8s.io/gateway-name=bookinfo-gateway", pod.Containers[0].Args);
        Assert.DoesNotContain(pod.Containers[0].Env, e => e.Name.Contains('/', StringComparison.Ordinal));
        var gateway = Env(pod.Containers[0]);
        Assert.Equal(("80", "80", "HTTP"), (gateway["Mesh__Gateway__Listeners__0__Port"], gateway["Mesh__Gateway__Listeners__0__ServicePort"], gateway["Mesh__Gateway__Listeners__0__Protocol"]));
        Assert.Equal("bookinfo-gateway-istio", gateway["Mesh__Node__Workload"]);

        // Port 80 without privileges, as Istio's gateway pods do.
        Assert.Equal(("net.ipv4.ip_unprivileged_port_start", "0"), (pod.SecurityContext.Sysctls[0].Name, pod.SecurityContext.Sysctls[0].Value));
        Assert.True(bookinfo.Files.ContainsKey("gateways/serviceaccount-bookinfo-gateway-istio.yaml"));
    }

    [Fact]
    public void The_gateway_is_a_LoadBalancer_in_front_of_the_gateway_proxy()
    {
        var service = Load<V1Service>("gateways/service-ingressgateway.yaml");
        Assert.Equal("LoadBalancer", service.Spec.Type);
        Assert.Equal([(80, 8080), (443, 8443), (31400, 31400)], service.Spec.Ports.Select(p => (p.Port, int.Parse(p.TargetPort.Value, System.Globalization.CultureInfo.InvariantCulture))));
        Assert.Equal("tcp", service.Spec.Ports[2].Name); // the port name Istio's TCP tasks read
        Assert.Equal("ingressgateway", service.Spec.Selector["istio"]);
        var gateway = Env(Load<V1Deployment>("gateways/deployment-ingressgateway.yaml").Spec.Template.Spec.Containers[0]);
        Assert.Equal("Gateway", gateway["Mesh__Mode"]);
        Assert.Equal("80", gateway["Mesh__Gateway__Listeners__0__ServicePort"]);
        Assert.Equal("31400", gateway["Mesh__Gateway__Listeners__2__Port"]);
        Assert.Equal("TCP", gateway["Mesh__Gateway__Listeners__2__Protocol"]);
    }

    [Fact]
    public void Mesh_config_lands_in_the_workload_namespace_and_mesh_wide_policy_in_the_root_namespace()
    {
        Assert.Contains("  namespace: bookinfo\n", bookinfo.Files["mesh-config/virtualservice-bookinfo-reviews.yaml"], StringComparison.Ordinal);
        Assert.Contains("  namespace: istio-system\n", bookinfo.Files["mesh-config/peerauthentication-istio-system-default.yaml"], StringComparison.Ordinal);
        Assert.True(bookinfo.Files.ContainsKey("namespace-bookinfo.yaml"));
        Assert.StartsWith("# Generated", bookinfo.Files["kustomization.yaml"], StringComparison.Ordinal);
        Assert.Contains("\n- crds\n", bookinfo.Files["kustomization.yaml"], StringComparison.Ordinal);
    }
}
