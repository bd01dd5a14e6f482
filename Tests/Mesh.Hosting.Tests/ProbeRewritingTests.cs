using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using k8s;
using k8s.Models;
using Mesh.Hosting.Kubernetes;
using Mesh.Hosting.Tests.Infrastructure;

// WithHttpProbe is experimental in Aspire 13.x.
#pragma warning disable ASPIREPROBES001

namespace Mesh.Hosting.Tests;

/// <summary>
/// Issue 23: no published app port is a way around its sidecar. Apps listen on loopback in the pod,
/// and their probes go to the sidecar's admin port, which runs the originals against the app.
/// </summary>
public sealed class ProbeRewritingTests(BookinfoPublishFixture bookinfo) : IClassFixture<BookinfoPublishFixture>
{
    private static readonly string[] Workloads = ["details", "ratings", "reviews-v1", "reviews-v2", "reviews-v3", "productpage"];

    [Fact]
    public void Every_published_app_listens_on_loopback_only()
    {
        foreach (var workload in Workloads)
        {
            var app = Pod(workload).Containers.Single();
            var env = app.Env.ToDictionary(e => e.Name, e => e.Value);
            var urls = env.Where(e => e.Key is "ASPNETCORE_URLS" || e.Key.StartsWith("Kestrel__Endpoints__", StringComparison.Ordinal) && e.Key.EndsWith("__Url", StringComparison.Ordinal))
                .SelectMany(e => e.Value.Split(';'))
                .ToList();
            Assert.NotEmpty(urls);
            Assert.All(urls, url => Assert.StartsWith("http://127.0.0.1:", url, StringComparison.Ordinal));
            Assert.DoesNotContain(env.Keys, k => k.EndsWith("HTTP_PORTS", StringComparison.Ordinal) || k.EndsWith("HTTPS_PORTS", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Every_app_probe_goes_to_the_sidecar_admin_port_and_the_sidecar_gets_the_original()
    {
        foreach (var workload in Workloads)
        {
            var pod = Pod(workload);
            var app = pod.Containers.Single();
            var sidecar = pod.InitContainers.Single();
            var probers = JsonDocument.Parse(sidecar.Env.Single(e => e.Name == "Mesh__AppProbers").Value).RootElement;
            var appPort = int.Parse(sidecar.Env.Single(e => e.Name == "Mesh__Inbound__0__TargetPort").Value, System.Globalization.CultureInfo.InvariantCulture);

            foreach (var (probe, kind) in new[] { (app.ReadinessProbe, "readyz"), (app.LivenessProbe, "livez") })
            {
                Assert.Equal($"/app-health/{app.Name}/{kind}", probe.HttpGet.Path);
                Assert.Equal("15021", probe.HttpGet.Port.Value);
                Assert.Contains(sidecar.Ports, p => p.ContainerPort == 15021);
                var original = probers.GetProperty(probe.HttpGet.Path).GetProperty("httpGet");
                Assert.Equal(appPort, original.GetProperty("port").GetInt32());
            }

            Assert.Equal("/health", probers.GetProperty($"/app-health/{app.Name}/readyz").GetProperty("httpGet").GetProperty("path").GetString());
            Assert.Equal("/alive", probers.GetProperty($"/app-health/{app.Name}/livez").GetProperty("httpGet").GetProperty("path").GetString());
            Assert.Equal(5, app.ReadinessProbe.PeriodSeconds);
            Assert.Equal(3, app.LivenessProbe.FailureThreshold);
        }
    }

    [Fact]
    public async Task Probes_the_AppHost_declares_are_rewritten_with_their_timing_and_https_scheme()
    {
        using var root = new TemporaryDirectory();
        BookinfoPublishFixture.CreateConfigDirectory(root.Combine("config"));
        var builder = BookinfoAppModel.Create(root.Combine("config"), Publisher.Args(root.Combine("deploy")));
        var details = builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "details"));
        details.WithHttpsEndpoint(name: "https")
            .WithHttpProbe(ProbeType.Startup, "/started", initialDelaySeconds: 2, periodSeconds: 3, timeoutSeconds: 4, failureThreshold: 30, endpointName: "https");

        var log = await Publisher.PublishAsync(builder);

        var pod = KubernetesYaml.Deserialize<V1Deployment>(File.ReadAllText(root.Combine("deploy", "workloads", "deployment-details.yaml"))).Spec.Template.Spec;
        var startup = pod.Containers[0].StartupProbe;
        Assert.True(startup is not null, log);
        Assert.Equal("/app-health/details/startupz", startup.HttpGet.Path);
        Assert.Equal((2, 3, 4, 30), (startup.InitialDelaySeconds, startup.PeriodSeconds, startup.TimeoutSeconds, startup.FailureThreshold));
        var probers = JsonDocument.Parse(pod.InitContainers[0].Env.Single(e => e.Name == "Mesh__AppProbers").Value).RootElement;
        var original = probers.GetProperty("/app-health/details/startupz");
        Assert.Equal("HTTPS", original.GetProperty("httpGet").GetProperty("scheme").GetString());
        Assert.Equal("/started", original.GetProperty("httpGet").GetProperty("path").GetString());
        Assert.Equal(4, original.GetProperty("timeoutSeconds").GetInt32());
        var urls = pod.Containers[0].Env.Single(e => e.Name == "ASPNETCORE_URLS").Value;
        Assert.Contains("https://127.0.0.1:", urls, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_probe_that_cannot_be_rewritten_fails_the_publish_naming_it()
    {
        using var root = new TemporaryDirectory();
        BookinfoPublishFixture.CreateConfigDirectory(root.Combine("config"));
        var builder = BookinfoAppModel.Create(root.Combine("config"), Publisher.Args(root.Combine("deploy")));
        var ratings = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "ratings");
        // An h2c-only endpoint: neither the kubelet nor the sidecar's HTTP prober speaks HTTP/2 there.
        builder.CreateResourceBuilder(ratings)
            .WithEndpoint("grpc", e => e.Transport = "http2")
            .WithHttpProbe(ProbeType.Readiness, "/grpc-health", endpointName: "grpc");

        var log = await Publisher.PublishAsync(builder);

        Assert.True(log.Contains("'ratings': its Readiness probe targets endpoint 'grpc' (http, http2); HTTP probes speak HTTP/1.1", StringComparison.Ordinal), log);
        Assert.False(File.Exists(root.Combine("deploy", "kustomization.yaml")));
    }

    [Fact]
    public async Task An_app_url_on_another_address_fails_the_publish_naming_the_variable()
    {
        using var root = new TemporaryDirectory();
        BookinfoPublishFixture.CreateConfigDirectory(root.Combine("config"));
        var builder = BookinfoAppModel.Create(root.Combine("config"), Publisher.Args(root.Combine("deploy")));
        var details = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "details");
        builder.CreateResourceBuilder(details).WithEnvironment("ASPNETCORE_URLS", "http://10.1.2.3:8080");

        var log = await Publisher.PublishAsync(builder);

        Assert.Contains("'details': environment variable ASPNETCORE_URLS: 'http://10.1.2.3:8080' listens on 10.1.2.3; in a pod a meshed app listens on loopback only", log, StringComparison.Ordinal);
        Assert.False(File.Exists(root.Combine("deploy", "kustomization.yaml")));
    }

    [Fact]
    public void The_rewriter_keeps_exec_probes_resolves_named_ports_and_refuses_other_hosts()
    {
        var app = new V1Container
        {
            Name = "web",
            Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080 }],
            LivenessProbe = new V1Probe { Exec = new V1ExecAction { Command = ["true"] } },
            ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/ready", Port = "http", HttpHeaders = [new V1HTTPHeader { Name = "X-Probe", Value = "1" }] } },
            StartupProbe = new V1Probe { Grpc = new V1GRPCAction { Port = 8081, Service = "web" }, TimeoutSeconds = 2 },
        };

        var json = AppProbeRewriter.Rewrite(app, "web-v1");

        Assert.NotNull(app.LivenessProbe.Exec);
        Assert.Equal("/app-health/web/readyz", app.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/app-health/web/startupz", app.StartupProbe.HttpGet.Path);
        Assert.Equal(2, app.StartupProbe.TimeoutSeconds);
        Assert.Equal(
            """{"/app-health/web/readyz":{"httpGet":{"path":"/ready","port":8080,"httpHeaders":[{"name":"X-Probe","value":"1"}]}},"/app-health/web/startupz":{"grpc":{"port":8081,"service":"web"},"timeoutSeconds":2}}""",
            json);

        var other = new V1Container { Name = "web", ReadinessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = 5432, Host = "db" } } };
        var error = Assert.Throws<InvalidOperationException>(() => AppProbeRewriter.Rewrite(other, "web-v1"));
        Assert.StartsWith("'web-v1': container 'web' readinessProbe cannot be rewritten to go through the sidecar: tcpSocket.host 'db' probes another host", error.Message, StringComparison.Ordinal);

        var named = new V1Container { Name = "web", LivenessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Port = "metrics" } } };
        error = Assert.Throws<InvalidOperationException>(() => AppProbeRewriter.Rewrite(named, "web-v1"));
        Assert.Contains("livenessProbe.httpGet.port cannot be rewritten", error.Message, StringComparison.Ordinal);
    }

    private V1PodSpec Pod(string workload) =>
        KubernetesYaml.Deserialize<V1Deployment>(bookinfo.Files[$"workloads/deployment-{workload}.yaml"]).Spec.Template.Spec;
}
