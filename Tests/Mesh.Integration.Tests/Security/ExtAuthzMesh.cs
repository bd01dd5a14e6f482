using System.Net;
using Mesh.Integration.Tests.Infrastructure;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Listeners;
using Mesh.Testing.ControlPlane;
using Mesh.Testing.Proxy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Samples.ExtAuthz;

namespace Mesh.Integration.Tests.Security;

/// <summary>
/// Istio's External Authorization task in one process: the real control plane; Istio's sample
/// authorizer (SampleApps/ExtAuthz: HTTP check on service port 8000, gRPC on 9000) with a sidecar;
/// an httpbin-like app (echoes the headers it received) with a sidecar, called on its sidecar's
/// inbound listener.
/// </summary>
internal sealed class ExtAuthzMesh : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _parts = [];

    private readonly string _namespace;

    private ExtAuthzMesh(string root, TestControlPlane controlPlane, string @namespace)
    {
        Root = root;
        ControlPlane = controlPlane;
        _namespace = @namespace;
    }

    public string Root { get; }

    public TestControlPlane ControlPlane { get; }

    /// <summary>Calls httpbin through its sidecar's inbound listener (PERMISSIVE: plaintext is accepted).</summary>
    public HttpClient Httpbin { get; private set; } = null!;

    public WebApplication Authorizer { get; private set; } = null!;

    /// <param name="namespace">Where httpbin and the authorizer run (Istio's task: <c>foo</c>).</param>
    public static async Task<ExtAuthzMesh> StartAsync(string configYaml, string @namespace = "default")
    {
        var root = Path.Combine(Path.GetTempPath(), "mesh-integration-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "config"));
        await File.WriteAllTextAsync(Path.Combine(root, "config", "ext-authz.yaml"), configYaml);
        var mesh = new ExtAuthzMesh(root, await MeshProxies.StartControlPlaneAsync(root), @namespace);
        try
        {
            await mesh.StartAuthorizerAsync();
            var httpbin = await StartEchoAsync();
            mesh._parts.Add(httpbin);
            var sidecar = await MeshProxies.StartSidecarAsync(new SidecarSpec("httpbin-v1", "httpbin", "v1") { AppPort = Port(httpbin), ServicePort = 8000, Namespace = @namespace }, mesh.ControlPlane);
            mesh._parts.Add(sidecar);
            mesh.Httpbin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{sidecar.Listeners.OfKind(ListenerKind.Inbound).First().BoundPort}"), Timeout = TimeSpan.FromSeconds(30) };
            await mesh.ControlPlane.WaitForSyncedAsync(["httpbin-v1", "ext-authz-v1"]);
            await Poll.UntilAsync("ext-authz endpoints at httpbin's sidecar", () =>
                sidecar.EndpointWorkloads($"ext-authz.{@namespace}.svc.cluster.local").Contains("ext-authz-v1"));
            return mesh;
        }
        catch
        {
            await mesh.DisposeAsync();
            throw;
        }
    }

    /// <summary>GET <paramref name="path"/> on httpbin with <c>x-ext-authz</c> set to <paramref name="extAuthz"/> (when not null).</summary>
    public async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> GetAsync(string path, string? extAuthz)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (extAuthz is not null)
        {
            request.Headers.Add("x-ext-authz", extAuthz);
        }

        var response = await Httpbin.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    private async Task StartAuthorizerAsync()
    {
        Authorizer = ExtAuthzApp.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ExtAuthz:ListenAddress"] = "127.0.0.1",
                ["ExtAuthz:HttpPort"] = "0",
                ["ExtAuthz:GrpcPort"] = "0",
            });
            builder.Logging.ClearProviders();
        });
        await Authorizer.StartAsync();
        _parts.Add(Authorizer);
        var endpoints = Authorizer.Services.GetRequiredService<ExtAuthzEndpoints>();
        var settings = ProxySettings.Sidecar(ControlPlane.GrpcUri.ToString(), "ext-authz-v1", "ext-authz-v1")
            .Identity(_namespace, "ext-authz", ("app", "ext-authz"), ("version", "v1"))
            .Token(ControlPlane.MintToken("ext-authz", "ext-authz-v1", _namespace))
            .Inbound("ext-authz", "http", 8000, endpoints.Http.Port)
            .Inbound("ext-authz", "grpc", 9000, endpoints.Grpc.Port, nameof(ListenerProtocol.GRPC));
        var sidecar = await MeshProxies.StartAsync(settings);
        _parts.Add(sidecar);
    }

    // httpbin's /headers in spirit: answers with the request's headers, one "name: value" per line.
    private static async Task<WebApplication> StartEchoAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(context => context.Response.WriteAsync(string.Join('\n', context.Request.Headers.Select(h => $"{h.Key.ToLowerInvariant()}: {h.Value}"))));
        await app.StartAsync();
        return app;
    }

    private static int Port(WebApplication app) =>
        new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;

    public async ValueTask DisposeAsync()
    {
        Httpbin?.Dispose();
        for (var i = _parts.Count - 1; i >= 0; i--)
        {
            await _parts[i].DisposeAsync();
        }

        await ControlPlane.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
