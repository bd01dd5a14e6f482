using System.Net;
using System.Net.Sockets;
using System.Text;
using Samples.ExtAuthz;
using Samples.Tests.Infrastructure;

namespace Samples.Tests.ExtAuthz;

/// <summary>The HTTP check API of Istio's ext-authz sample (port 8000 there), as Envoy's HTTP ext_authz client calls it.</summary>
public sealed class HttpCheckTests
{
    [Fact]
    public async Task Request_with_x_ext_authz_allow_is_allowed_with_istio_headers_and_no_body()
    {
        await using var server = await RunningExtAuthz.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/check?x=1");
        request.Headers.Add("x-ext-authz", "allow");
        request.Headers.Add("x-ext-authz-additional-header-override", "from-client");

        using var response = await server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsStringAsync());
        Assert.Equal("allowed", Header(response, "x-ext-authz-check-result"));
        Assert.Equal("from-client", Header(response, "x-ext-authz-additional-header-override"));
        Assert.Equal(
            $"GET {server.Endpoints.Http}/check?x=1, headers: map[X-Ext-Authz:[allow] X-Ext-Authz-Additional-Header-Override:[from-client]], body: []",
            Header(response, "x-ext-authz-check-received"));
    }

    [Theory]
    [InlineData("deny")]
    [InlineData("Allow")]
    [InlineData(null)]
    public async Task Any_other_request_is_denied_with_403_istio_body_and_headers(string? checkHeader)
    {
        await using var server = await RunningExtAuthz.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/headers") { Content = new StringContent("hello") };
        if (checkHeader is not null)
        {
            request.Headers.Add("x-ext-authz", checkHeader);
        }

        using var response = await server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(76, response.Content.Headers.ContentLength);
        Assert.Equal("denied by ext_authz for not found header `x-ext-authz: allow` in the request", await response.Content.ReadAsStringAsync());
        Assert.Equal("denied", Header(response, "x-ext-authz-check-result"));
        Assert.Equal("", Header(response, "x-ext-authz-additional-header-override"));
        var checkHeaderText = checkHeader is null ? "" : $" X-Ext-Authz:[{checkHeader}]";
        Assert.Equal(
            $"POST {server.Endpoints.Http}/headers, headers: map[Content-Length:[5] Content-Type:[text/plain; charset=utf-8]{checkHeaderText}], body: [hello]",
            Header(response, "x-ext-authz-check-received"));
    }

    [Fact]
    public async Task On_the_wire_header_names_are_go_canonical_values_merge_per_name_and_bytes_pass_through()
    {
        await using var server = await RunningExtAuthz.StartAsync();
        var request = "GET /a%2Fb?q=%20 HTTP/1.1\r\nHost: httpbin.foo:8000\r\nx-ext-authz: allow\r\nx-multi: one\r\nX-MULTI: two\r\nx-name: café\r\n\r\n";

        var response = await RawExchangeAsync(server.Endpoints.Http, Encoding.UTF8.GetBytes(request));

        var head = Encoding.UTF8.GetString(response);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", head, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Length: 0\r\n", head, StringComparison.Ordinal);
        Assert.Contains("\r\nX-Ext-Authz-Check-Result: allowed\r\n", head, StringComparison.Ordinal);
        Assert.Contains("\r\nX-Ext-Authz-Additional-Header-Override: \r\n", head, StringComparison.Ordinal);
        Assert.Contains(
            "\r\nX-Ext-Authz-Check-Received: GET httpbin.foo:8000/a%2Fb?q=%20, headers: map[X-Ext-Authz:[allow] X-Multi:[one two] X-Name:[café]], body: []\r\n",
            head,
            StringComparison.Ordinal);
        Assert.DoesNotContain("\r\nServer:", head, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Chunked_request_body_is_shown_and_transfer_encoding_is_left_out_of_the_headers_as_go_does()
    {
        await using var server = await RunningExtAuthz.StartAsync();
        var request = "PUT /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";

        var head = Encoding.UTF8.GetString(await RawExchangeAsync(server.Endpoints.Http, Encoding.ASCII.GetBytes(request)));

        Assert.Contains("\r\nX-Ext-Authz-Check-Received: PUT h/x, headers: map[], body: [abcde]\r\n", head, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(60000, false)]
    [InlineData(60001, true)]
    [InlineData(5_000_000, true)]
    public async Task A_body_over_60000_bytes_is_replaced_by_too_long(int length, bool tooLong)
    {
        await using var server = await RunningExtAuthz.StartAsync();
        var body = new string('b', length);

        using var response = await server.Http.PostAsync("/upload", new StringContent(body));

        var received = Header(response, "x-ext-authz-check-received");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.EndsWith(tooLong ? "body: [<too-long>]" : $"body: [{body}]", received, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/alive")]
    [InlineData("/envoy.service.auth.v3.Authorization/Check")]
    public async Task Every_path_on_the_check_port_is_a_check(string path)
    {
        await using var server = await RunningExtAuthz.StartAsync();

        using var response = await server.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("denied", Header(response, "x-ext-authz-check-result"));
    }

    [Fact]
    public async Task Health_endpoints_are_on_the_health_port_only()
    {
        await using var server = await RunningExtAuthz.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://{server.Endpoints.Health}") };

        var health = await http.GetAsync("/health");
        var alive = await http.GetAsync("/alive");
        var other = await http.GetAsync("/check");

        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task Without_a_health_port_only_the_two_check_ports_listen()
    {
        await using var server = await RunningExtAuthz.StartAsync(settings: ("ExtAuthz:HealthPort", null));

        Assert.Null(server.Endpoints.Health);
        using var response = await server.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        string.Join(",", response.Headers.TryGetValues(name, out var values) ? values : response.Content.Headers.GetValues(name));

    /// <summary>Sends one request on a fresh connection and reads at least up to the end of the response headers.</summary>
    private static async Task<byte[]> RawExchangeAsync(IPEndPoint endpoint, byte[] request)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endpoint);
        await socket.SendAsync(request);
        var guard = SampleSettings.HangGuard();
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (received.ToArray().AsSpan().IndexOf("\r\n\r\n"u8) < 0)
        {
            var n = await socket.ReceiveAsync(buffer, guard);
            Assert.True(n > 0, "connection closed before the end of the response headers");
            received.Write(buffer, 0, n);
        }

        return received.ToArray();
    }
}
