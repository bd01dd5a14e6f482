using System.Net;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Tests.Infrastructure;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Functional;

/// <summary>The proxy in gateway mode: ingress listeners serve the Gateway virtual hosts of their ports by Host.</summary>
public sealed class GatewayTests
{
    private static readonly string ProductPage = ClusterName("productpage", 9080);
    private static readonly string Api = ClusterName("api", 8000);

    [Fact]
    public async Task Gateway_listener_routes_by_host_among_the_virtual_hosts_of_its_ports()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var productpage = await bed.BackendAsync("productpage");
        var api = await bed.BackendAsync("api");
        var gateway = await bed.ProxyAsync(ProxySettings.Gateway(bed.ControlPlane.Address).GatewayListener(servicePort: 80));
        await bed.ApplyAsync(Snapshot(
            "1",
            [
                GatewayHost("bookinfo", 80, ["bookinfo.example.com"], To(ProductPage, "productpage", UriPrefix("/productpage"))),
                GatewayHost("wildcard-api", 80, ["*.api.example.com"], To(Api)),
                GatewayHost("other-port", 443, ["*"], To(Api)),
            ],
            [Cluster(ProductPage, productpage), Cluster(Api, api)]));
        var port = gateway.Port(ListenerKind.Gateway);

        Assert.Equal("productpage", await GetAsync(bed.Client, port, "bookinfo.example.com", "/productpage"));
        Assert.Equal("productpage", await GetAsync(bed.Client, port, $"BOOKINFO.example.com:{port}", "/productpage")); // port and case do not matter
        Assert.Equal("api", await GetAsync(bed.Client, port, "v1.api.example.com", "/x"));

        var unknownHost = await SendAsync(bed.Client, port, "unknown.example.com", "/productpage");
        Assert.Equal(HttpStatusCode.NotFound, unknownHost.StatusCode); // the "*" host is on port 443, not served here
        var unknownPath = await SendAsync(bed.Client, port, "bookinfo.example.com", "/admin");
        Assert.Equal(HttpStatusCode.NotFound, unknownPath.StatusCode);
        Assert.Equal(ResponseFlags.NoRouteFound, (await gateway.Observer.ForPathAsync("/admin")).Flags);
    }

    [Fact]
    public async Task Gateway_registers_as_an_ingress_gateway_node()
    {
        await using var bed = await MeshTestBed.StartAsync();
        await using var gateway = await ProxyHost.StartAsync(ProxySettings.Gateway(bed.ControlPlane.Address, nodeId: "ingress-1").GatewayListener(servicePort: 80));

        var hello = await bed.ControlPlane.WaitForAsync("Hello", r => r.Message.KindCase == Mesh.Contracts.Discovery.ProxyMessage.KindOneofCase.Hello);

        Assert.Equal(ProxyMode.Gateway, hello.Message.Hello.Node.Mode);
        Assert.Equal("ingressgateway", hello.Message.Hello.Node.Labels["istio"]);
        Assert.Empty(hello.Message.Hello.Node.Outbound);
    }

    [Fact]
    public async Task A_gateway_listener_serves_both_its_service_port_and_its_own_port()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var productpage = await bed.BackendAsync("productpage");
        var api = await bed.BackendAsync("api");
        var listenPort = await TestBackend.UnusedPortAsync();
        var gateway = await bed.ProxyAsync(ProxySettings.Gateway(bed.ControlPlane.Address).GatewayListener(servicePort: 80, port: listenPort));
        await bed.ApplyAsync(Snapshot(
            "1",
            [
                GatewayHost("on-80", 80, ["bookinfo.example.com"], To(ProductPage)),
                GatewayHost("on-listen-port", (uint)listenPort, ["bookinfo.example.com", "api.example.com"], To(Api)),
            ],
            [Cluster(ProductPage, productpage), Cluster(Api, api)]));

        Assert.Equal("productpage", await GetAsync(bed.Client, listenPort, "bookinfo.example.com", "/")); // the service port wins a shared host
        Assert.Equal("api", await GetAsync(bed.Client, listenPort, "api.example.com", "/"));
    }

    [Fact]
    public async Task An_https_listener_is_bound_next_to_http_listeners()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var productpage = await bed.BackendAsync("productpage");
        var gateway = await bed.ProxyAsync(ProxySettings.Gateway(bed.ControlPlane.Address)
            .GatewayListener(servicePort: 80)
            .With("Mesh:Gateway:Listeners:1:Port", "0")
            .With("Mesh:Gateway:Listeners:1:ServicePort", "443")
            .With("Mesh:Gateway:Listeners:1:Protocol", "HTTPS"));
        await bed.ApplyAsync(Snapshot("1", [GatewayHost("bookinfo", 80, ["*"], To(ProductPage))], [Cluster(ProductPage, productpage)]));

        Assert.Equal("productpage", await GetAsync(bed.Client, gateway.Port(ListenerKind.Gateway), "bookinfo.example.com", "/"));
        Assert.Equal(2, gateway.Listeners.OfKind(ListenerKind.Gateway).Count());
        Assert.NotEqual(0, gateway.Port(ListenerKind.Gateway, 1));
        var listeners = await bed.Client.GetStringAsync(TestHttp.Local(gateway.AdminPort, "/listeners"));
        Assert.Contains("\"protocol\": \"HTTPS\"", listeners, StringComparison.Ordinal);
        Assert.DoesNotContain("\"served\": false", listeners, StringComparison.Ordinal);
    }

    private static VirtualHost GatewayHost(string name, uint port, string[] domains, params Route[] routes)
    {
        var vh = new VirtualHost { Name = name, Port = port, GatewayServer = "bookinfo-gateway.default/http" };
        vh.Domains.Add(domains);
        vh.Routes.Add(routes);
        return vh;
    }

    private static async Task<string> GetAsync(HttpClient client, int port, string host, string path)
    {
        var response = await SendAsync(client, port, host, path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, int port, string host, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, TestHttp.Local(port, path));
        request.Headers.Host = host;
        return client.SendAsync(request);
    }
}
