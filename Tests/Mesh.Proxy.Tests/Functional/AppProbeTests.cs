using System.Net;
using System.Net.Sockets;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Mesh.Proxy.Tests.Gateway;
using Mesh.Proxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mesh.Proxy.Core.Configuration.Probes;

namespace Mesh.Proxy.Tests.Functional;

/// <summary>
/// The kubelet's rewritten probes (issue 23): GET /app-health/&lt;container&gt;/livez|readyz|startupz
/// on the sidecar's admin port runs the app's original probe against the app on loopback.
/// </summary>
public sealed class AppProbeTests
{
    [Fact]
    public async Task HttpGet_probe_reaches_the_app_with_its_path_and_headers_and_reports_the_apps_status()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var healthy = true;
        var app = await bed.BackendAsync("details", context =>
        {
            context.Response.StatusCode = healthy ? 200 : 503;
            return context.Response.WriteAsync("app body is not shown");
        });
        var probers = Probers("""{"/app-health/details/readyz":{"httpGet":{"path":"/health/ready","port":PORT,"httpHeaders":[{"name":"X-Probe","value":"mesh"}]},"timeoutSeconds":2}}""", app.Port);
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).With("Mesh:AppProbers", probers));

        using var request = new HttpRequestMessage(HttpMethod.Get, TestHttp.Local(proxy.AdminPort, "/app-health/details/readyz"));
        request.Headers.UserAgent.ParseAdd("kube-probe/1.31");
        var passing = await bed.Client.SendAsync(request);
        healthy = false;
        var failing = await bed.Client.GetAsync(TestHttp.Local(proxy.AdminPort, "/app-health/details/readyz"));

        Assert.Equal(HttpStatusCode.OK, passing.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failing.StatusCode);
        Assert.DoesNotContain("app body", await failing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var seen = app.Requests.First();
        Assert.Equal("GET", seen.Method);
        Assert.Equal("/health/ready", seen.Path);
        Assert.Equal("mesh", seen.Headers["x-probe"]);
        Assert.Equal("kube-probe/1.31", seen.Headers["user-agent"]);
        Assert.Equal($"127.0.0.1:{app.Port}", seen.Host);
    }

    [Fact]
    public async Task HttpGet_probe_fails_with_a_reason_when_the_app_is_stopped_and_passes_again_when_it_is_back()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var app = await TestBackend.StartAsync("details");
        var port = app.Port;
        var probers = Probers("""{"/app-health/details/livez":{"httpGet":{"path":"/","port":PORT}}}""", port);
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).With("Mesh:AppProbers", probers));
        var path = TestHttp.Local(proxy.AdminPort, "/app-health/details/livez");

        var up = await bed.Client.GetAsync(path);
        await app.DisposeAsync();
        var down = await bed.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, up.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, down.StatusCode);
        Assert.Contains("connection refused", await down.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpGet_probe_follows_a_redirect_on_the_same_host_and_passes_a_redirect_elsewhere()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var app = await bed.BackendAsync("app", context =>
        {
            switch (context.Request.Path.Value)
            {
                case "/moved":
                    context.Response.Redirect("/broken");
                    break;
                case "/away":
                    context.Response.Redirect("http://elsewhere.example/");
                    break;
                default:
                    context.Response.StatusCode = 500;
                    break;
            }

            return Task.CompletedTask;
        });
        var probers = Probers("""
            {"/app-health/app/livez":{"httpGet":{"path":"/moved","port":PORT}},
             "/app-health/app/readyz":{"httpGet":{"path":"away","port":PORT}}}
            """, app.Port);
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).With("Mesh:AppProbers", probers));

        var followed = await bed.Client.GetAsync(TestHttp.Local(proxy.AdminPort, "/app-health/app/livez"));
        var elsewhere = await bed.Client.GetAsync(TestHttp.Local(proxy.AdminPort, "/app-health/app/readyz"));

        Assert.Equal(HttpStatusCode.InternalServerError, followed.StatusCode);
        Assert.Contains(app.Requests, r => r.Path == "/broken");
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
    }

    [Fact]
    public async Task Https_scheme_probes_the_app_over_tls_without_verifying_its_certificate()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var tlsRequests = 0;
        await using var app = await StartTlsAppAsync(() => Interlocked.Increment(ref tlsRequests));
        var probers = Probers("""{"/app-health/secure/startupz":{"httpGet":{"path":"/","port":PORT,"scheme":"HTTPS"}}}""", app.Port);
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).With("Mesh:AppProbers", probers));

        var response = await bed.Client.GetAsync(TestHttp.Local(proxy.AdminPort, "/app-health/secure/startupz"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, Volatile.Read(ref tlsRequests));
    }

    [Fact]
    public async Task TcpSocket_probe_is_a_connect_to_the_apps_port()
    {
        await using var bed = await MeshTestBed.StartAsync();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var probers = Probers("""{"/app-health/db/livez":{"tcpSocket":{"port":PORT}}}""", port);
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).With("Mesh:AppProbers", probers));
        var path = TestHttp.Local(proxy.AdminPort, "/app-health/db/livez");

        var open = await bed.Client.GetAsync(path);
        using var accepted = await listener.AcceptTcpClientAsync();
        listener.Stop();
        var closed = await bed.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, closed.StatusCode);
        Assert.Contains("connection refused", await closed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grpc_probe_asks_grpc_health_v1_for_the_service_and_passes_only_on_SERVING()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var health = new HealthServiceImpl();
        await using var app = await StartGrpcHealthAppAsync(health);
        health.SetStatus("ratings", HealthCheckResponse.Types.ServingStatus.Serving);
        var probers = Probers("""
            {"/app-health/ratings/readyz":{"grpc":{"port":PORT,"service":"ratings"}},
             "/app-health/ratings/livez":{"grpc":{"port":PORT,"service":"unknown"}}}
            """, app.Port);
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).With("Mesh:AppProbers", probers));
        var ready = TestHttp.Local(proxy.AdminPort, "/app-health/ratings/readyz");

        var serving = await bed.Client.GetAsync(ready);
        health.SetStatus("ratings", HealthCheckResponse.Types.ServingStatus.NotServing);
        var notServing = await bed.Client.GetAsync(ready);
        var unknown = await bed.Client.GetAsync(TestHttp.Local(proxy.AdminPort, "/app-health/ratings/livez"));

        Assert.Equal(HttpStatusCode.OK, serving.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, notServing.StatusCode);
        Assert.Contains("NotServing", await notServing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.InternalServerError, unknown.StatusCode);
        Assert.Contains("NotFound", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grpc_probe_of_an_app_without_the_health_service_fails_saying_so()
    {
        await using var bed = await MeshTestBed.StartAsync();
        await using var app = await GrpcEchoBackend.StartAsync("echo");
        var probers = Probers("""{"/app-health/echo/readyz":{"grpc":{"port":PORT}}}""", app.Port);
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).With("Mesh:AppProbers", probers));

        var response = await bed.Client.GetAsync(TestHttp.Local(proxy.AdminPort, "/app-health/echo/readyz"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("does not implement grpc.health.v1.Health", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_path_without_a_probe_is_404_and_the_admin_index_lists_the_probe_paths()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var probers = """{"/app-health/details/readyz":{"tcpSocket":{"port":9080}}}""";
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).With("Mesh:AppProbers", probers));

        var missing = await bed.Client.GetAsync(TestHttp.Local(proxy.AdminPort, "/app-health/details/livez"));
        var index = await bed.Client.GetAsync(TestHttp.Local(proxy.AdminPort, "/"));

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("/app-health/details/readyz", await index.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_probe_the_app_does_not_answer_fails_when_its_timeout_passes()
    {
        var answered = new TaskCompletionSource();
        var requested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestBackend.StartAsync("slow", async context =>
        {
            requested.TrySetResult();
            await answered.Task.WaitAsync(context.RequestAborted);
        });
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var options = Options.Create(new Core.Configuration.MeshProxyOptions());
        using var prober = new Core.Admin.AppProbes.AppProber(options, time);
        var probe = new Core.Configuration.Probes.AppProbe("/app-health/slow/livez", Core.Configuration.Probes.AppProbeAction.HttpGet, app.Port, TimeSpan.FromSeconds(3));

        var running = prober.RunAsync(probe, new DefaultHttpContext().Request, CancellationToken.None);
        await requested.Task;
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(running.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        var result = await running;
        answered.TrySetResult();

        Assert.False(result.Passed);
        Assert.Equal("no answer from the app within 3 s", result.Detail);
    }

    [Theory]
    [InlineData("""{"/app-health/a/readyz":{"exec":{"command":["cat"]}}}""", "Mesh:AppProbers is not a JSON object of probes")]
    [InlineData("""{"/app-health/a/readyz":{}}""", "Mesh:AppProbers['/app-health/a/readyz'] must have exactly one of httpGet, tcpSocket and grpc (it has 0)")]
    [InlineData("""{"/healthz":{"tcpSocket":{"port":80}}}""", "Mesh:AppProbers['/healthz']: the path must be /app-health/<container>/livez, readyz or startupz")]
    [InlineData("""{"/app-health/a/livez":{"httpGet":{"port":0}}}""", "Mesh:AppProbers['/app-health/a/livez'].httpGet.port must be a port number 1-65535 (got 0)")]
    [InlineData("""{"/app-health/a/livez":{"httpGet":{"port":80,"host":"10.0.0.9"}}}""", "Mesh:AppProbers['/app-health/a/livez'].httpGet.host must be empty")]
    [InlineData("""{"/app-health/a/livez":{"httpGet":{"port":80,"scheme":"FTP"}}}""", "httpGet.scheme must be HTTP or HTTPS (got 'FTP')")]
    [InlineData("""{"/app-health/a/livez":{"httpGet":{"port":80,"httpHeaders":[{"name":"bad name","value":"x"}]}}}""", "httpGet.httpHeaders[0].name must be an HTTP header name (got 'bad name')")]
    [InlineData("""{"/app-health/a/livez":{"tcpSocket":{"port":80},"timeoutSeconds":-1}}""", "timeoutSeconds must not be negative (got -1)")]
    public void Probes_the_sidecar_cannot_run_fail_its_start_naming_the_key(string probers, string expected)
    {
        var options = new Core.Configuration.MeshProxyOptions { Node = { Workload = "a-v1" }, AppProbers = probers };

        var result = new Core.Configuration.MeshProxyOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    /// <summary>Mesh:AppProbers as the publish step writes it, with the test app's port for PORT.</summary>
    private static string Probers(string json, int port) =>
        json.Replace("PORT", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>An HTTPS app with a self-signed certificate (as an app's own TLS often is) on 127.0.0.1; counts requests that came over TLS.</summary>
    private static Task<LocalApp> StartTlsAppAsync(Action onTlsRequest)
    {
        var certificate = TestCertificates.Server(null, "app.local");
        return LocalApp.StartAsync(
            builder => builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.UseHttps(certificate))),
            app => app.Run(context =>
            {
                if (context.Request.IsHttps)
                {
                    onTlsRequest();
                }

                return Task.CompletedTask;
            }));
    }

    /// <summary>A gRPC app serving grpc.health.v1.Health (h2c on 127.0.0.1) with the statuses <paramref name="health"/> holds.</summary>
    private static Task<LocalApp> StartGrpcHealthAppAsync(HealthServiceImpl health) => LocalApp.StartAsync(
        builder =>
        {
            builder.Services.AddGrpc();
            builder.Services.AddSingleton(health);
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        },
        app => app.MapGrpcService<HealthServiceImpl>());
}
