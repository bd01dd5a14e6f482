using Aspire.Hosting;
using k8s;
using k8s.Models;
using Mesh.Hosting.Tests.Infrastructure;

namespace Mesh.Hosting.Tests;

/// <summary>
/// A meshed app that speaks TCP only (Istio's tcp-echo): its <c>tcp</c> endpoints with service
/// ports are TCP ports of its Service and TCP inbound listeners of its sidecar; an endpoint
/// without a service port stays out of the Service (Istio's tcp-echo 9002); its TCP health check
/// is a tcpSocket readiness probe that the sidecar runs, as Istio rewrites probes.
/// </summary>
public sealed class PublishedTcpWorkloadTests
{
    [Fact]
    public async Task Tcp_endpoints_become_tcp_service_ports_and_the_tcp_health_check_a_rewritten_tcpSocket_probe()
    {
        using var root = new TemporaryDirectory();
        var config = root.Combine("mesh-config");
        Directory.CreateDirectory(config);
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            Args = Publisher.Args(root.Combine("deploy"), "--Mesh:Kubernetes:Tag=1.0.0", "--Mesh:Kubernetes:Namespace=tcp"),
            DisableDashboard = true,
            AssemblyName = typeof(PublishedTcpWorkloadTests).Assembly.GetName().Name,
        });
        var mesh = builder.AddMeshControlPlane("controlplane").WithConfigDirectory(config);
        builder.AddProject("tcp-echo-v1", RepositoryPaths.Project(Path.Combine("SampleApps", "TcpEcho", "Samples.TcpEcho.csproj")), launchProfileName: null)
            .WithEndpoint(name: "tcp", scheme: "tcp", env: "TcpEcho__Ports__0")
            .WithEndpoint(name: "tcp-other", scheme: "tcp", env: "TcpEcho__Ports__1")
            .WithEndpoint(name: "tcp-9002", scheme: "tcp", env: "TcpEcho__Ports__2")
            .WithTcpHealthCheck("tcp")
            .WithSidecar(mesh, app: "tcp-echo", version: "v1")
            .WithServicePort("tcp", 9000)
            .WithServicePort("tcp-other", 9001);

        var log = await Publisher.PublishAsync(builder);
        var files = BookinfoPublishFixture.ReadTree(root.Combine("deploy"));
        Assert.True(files.ContainsKey("workloads/service-tcp-echo.yaml"), log);

        var service = KubernetesYaml.Deserialize<V1Service>(files["workloads/service-tcp-echo.yaml"]);
        Assert.Equal([("tcp", 9000), ("tcp-other", 9001)], service.Spec.Ports.Select(p => (p.Name, p.Port)));

        var pod = KubernetesYaml.Deserialize<V1Deployment>(files["workloads/deployment-tcp-echo-v1.yaml"]).Spec.Template.Spec;
        var sidecar = pod.InitContainers.Single().Env.ToDictionary(e => e.Name, e => e.Value);
        var inbound = Enumerable.Range(0, 2).Select(i => (sidecar[$"Mesh__Inbound__{i}__Port"], sidecar[$"Mesh__Inbound__{i}__Protocol"])).ToList();
        Assert.Equal([("9000", "TCP"), ("9001", "TCP")], inbound);

        var app = pod.Containers.Single();
        Assert.Equal($"/app-health/{app.Name}/readyz", app.ReadinessProbe.HttpGet.Path);
        Assert.Contains("tcpSocket", sidecar["Mesh__AppProbers"], StringComparison.Ordinal);
        Assert.Contains($"\"port\":{sidecar["Mesh__Inbound__0__TargetPort"]}", sidecar["Mesh__AppProbers"], StringComparison.Ordinal);
    }
}
