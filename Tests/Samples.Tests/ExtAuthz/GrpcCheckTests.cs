using Envoy.Config.Core.V3;
using Envoy.Service.Auth.V3;
using Google.Protobuf.WellKnownTypes;
using Samples.Tests.Infrastructure;
using V2 = Envoy.Service.Auth.V2;

namespace Samples.Tests.ExtAuthz;

/// <summary>
/// Envoy's <c>envoy.service.auth.v3.Authorization/Check</c> (and v2) on the sample's gRPC port,
/// called by a real gRPC client compiled from Contracts/Protos, as a proxy calls it.
/// </summary>
public sealed class GrpcCheckTests
{
    private const int GrpcOk = 0;
    private const int GrpcPermissionDenied = 7;

    [Fact]
    public async Task V3_check_with_x_ext_authz_allow_is_ok_with_istio_headers_for_the_upstream()
    {
        await using var server = await RunningExtAuthz.StartAsync();
        var client = new Authorization.AuthorizationClient(server.Grpc);

        var response = await client.CheckAsync(HttpCheck("allow"));

        Assert.Equal(GrpcOk, response.Status.Code);
        Assert.Equal(CheckResponse.HttpResponseOneofCase.OkResponse, response.HttpResponseCase);
        Assert.Equal(
            [
                ("x-ext-authz-check-result", "allowed"),
                ("x-ext-authz-check-received", """request:{http:{headers:{key:"x-ext-authz" value:"allow"} path:"/check" host:"localhost"}}"""),
                ("x-ext-authz-additional-header-override", "grpc-additional-header-override-value"),
            ],
            response.OkResponse.Headers.Select(h => (h.Header.Key, h.Header.Value)));
        // Nothing but the header is set: append, append_action and keep_empty_value keep Envoy's defaults.
        Assert.All(response.OkResponse.Headers, h => Assert.Equal(new HeaderValueOption { Header = h.Header }, h));
    }

    [Fact]
    public async Task V3_check_without_allow_is_permission_denied_with_a_403_istio_body_and_headers()
    {
        await using var server = await RunningExtAuthz.StartAsync();
        var client = new Authorization.AuthorizationClient(server.Grpc);

        var response = await client.CheckAsync(HttpCheck("deny"));

        Assert.Equal(GrpcPermissionDenied, response.Status.Code);
        Assert.Equal(CheckResponse.HttpResponseOneofCase.DeniedResponse, response.HttpResponseCase);
        Assert.Equal(Envoy.Type.V3.StatusCode.Forbidden, response.DeniedResponse.Status.Code);
        Assert.Equal("denied by ext_authz for not found header `x-ext-authz: allow` in the request", response.DeniedResponse.Body);
        Assert.Equal(
            ["x-ext-authz-check-result", "x-ext-authz-check-received", "x-ext-authz-additional-header-override"],
            response.DeniedResponse.Headers.Select(h => h.Header.Key));
        Assert.Equal("denied", response.DeniedResponse.Headers[0].Header.Value);
        Assert.Equal("grpc-additional-header-override-value", response.DeniedResponse.Headers[2].Header.Value);
    }

    [Theory]
    [InlineData(null, "spiffe://cluster.local/ns/foo/sa/a", null, true)]
    [InlineData(null, "spiffe://cluster.local/ns/foo/sa/b", null, false)]
    [InlineData(null, "spiffe://cluster.local/ns/foo/sa/ba", null, false)]
    [InlineData(null, null, null, false)]
    [InlineData("deny", "spiffe://cluster.local/ns/foo/sa/a", null, false)]
    [InlineData("allow", "spiffe://cluster.local/ns/foo/sa/b", null, true)]
    [InlineData(null, "spiffe://cluster.local/ns/foo/sa/curl", "curl", true)]
    [InlineData(null, "spiffe://cluster.local/ns/foo/sa/a", "curl", false)]
    public async Task Without_the_header_the_source_service_account_decides(string? checkHeader, string? principal, string? allowedAccount, bool allowed)
    {
        await using var server = await RunningExtAuthz.StartAsync(settings: ("ExtAuthz:AllowServiceAccount", allowedAccount));
        var client = new Authorization.AuthorizationClient(server.Grpc);
        var request = HttpCheck(checkHeader);
        if (principal is not null)
        {
            request.Attributes.Source = new AttributeContext.Types.Peer { Principal = principal };
        }

        var response = await client.CheckAsync(request);

        Assert.Equal(allowed ? GrpcOk : GrpcPermissionDenied, response.Status.Code);
    }

    [Fact]
    public async Task Received_attributes_are_dumped_in_go_text_format_as_in_istios_task_log()
    {
        await using var server = await RunningExtAuthz.StartAsync();
        var client = new Authorization.AuthorizationClient(server.Grpc);

        var response = await client.CheckAsync(new CheckRequest { Attributes = IstioTaskAttributes() });

        // Istio's task shows this dump (its Go server puts random double spaces between fields).
        var expected = """
            source:{address:{socket_address:{address:"10.44.0.22"  port_value:52088}}  principal:"spiffe://cluster.local/ns/foo/sa/curl"}  destination:{address:{socket_address:{address:"10.44.3.30"  port_value:80}}  principal:"spiffe://cluster.local/ns/foo/sa/httpbin"}  request:{time:{seconds:1610076306  nanos:473835000}  http:{id:"13869142855783664817"  method:"GET"  headers:{key:":authority"  value:"httpbin.foo:8000"}  headers:{key:":method"  value:"GET"}  headers:{key:":path"  value:"/headers"}  headers:{key:"accept"  value:"*/*"}  headers:{key:"content-length"  value:"0"}  headers:{key:"user-agent"  value:"curl/7.74.0-DEV"}  headers:{key:"x-b3-sampled"  value:"1"}  headers:{key:"x-b3-spanid"  value:"377ba0cdc2334270"}  headers:{key:"x-b3-traceid"  value:"635187cb20d92f62377ba0cdc2334270"}  headers:{key:"x-envoy-attempt-count"  value:"1"}  headers:{key:"x-ext-authz"  value:"deny"}  headers:{key:"x-forwarded-client-cert"  value:"By=spiffe://cluster.local/ns/foo/sa/httpbin;Hash=dd14782fa2f439724d271dbed846ef843ff40d3932b615da650d028db655fc8d;Subject=\"\";URI=spiffe://cluster.local/ns/foo/sa/curl"}  headers:{key:"x-forwarded-proto"  value:"http"}  headers:{key:"x-request-id"  value:"9609691a-4e9b-9545-ac71-3889bc2dffb0"}  path:"/headers"  host:"httpbin.foo:8000"  protocol:"HTTP/1.1"}}  metadata_context:{}
            """.Replace("  ", " ", StringComparison.Ordinal);
        Assert.Equal(GrpcPermissionDenied, response.Status.Code);
        Assert.Equal(expected, response.DeniedResponse.Headers[1].Header.Value);
    }

    [Fact]
    public async Task Dump_escapes_strings_and_prints_numbers_as_go_does()
    {
        await using var server = await RunningExtAuthz.StartAsync();
        var client = new Authorization.AuthorizationClient(server.Grpc);
        var request = HttpCheck("allow");
        var numbers = new[] { 0.5, 100, 123456, 1234567, 0.0001, 0.00001, 1e21, -2.5e-7 };
        request.Attributes.MetadataContext = new Metadata
        {
            FilterMetadata =
            {
                ["filter"] = new Struct
                {
                    Fields =
                    {
                        ["numbers"] = Value.ForList([.. numbers.Select(Value.ForNumber)]),
                        ["text"] = Value.ForString("quote\" backslash\\ newline\n tab\t bell\u0007 c1\u0085 é"),
                        ["flag"] = Value.ForBool(true),
                    },
                },
            },
        };

        var response = await client.CheckAsync(request);

        var numbersText = string.Join(" ", new[] { "0.5", "100", "123456", "1.234567e+06", "0.0001", "1e-05", "1e+21", "-2.5e-07" }.Select(n => $"values:{{number_value:{n}}}"));
        Assert.EndsWith(
            "metadata_context:{filter_metadata:{key:\"filter\" value:{fields:{key:\"flag\" value:{bool_value:true}} "
                + $"fields:{{key:\"numbers\" value:{{list_value:{{{numbersText}}}}}}} "
                + "fields:{key:\"text\" value:{string_value:\"quote\\\" backslash\\\\ newline\\n tab\\t bell\\x07 c1\\u0085 é\"}}}}}",
            response.OkResponse.Headers[1].Header.Value,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_v3_dump_over_60000_bytes_is_replaced_but_v2_keeps_it_whole_as_in_istio()
    {
        await using var server = await RunningExtAuthz.StartAsync();
        var bigHeader = new string('h', 70000);
        var v3 = HttpCheck("allow");
        v3.Attributes.Request.Http.Headers["big"] = bigHeader;
        var v2 = V2Check("allow");
        v2.Attributes.Request.Http.Headers["big"] = bigHeader;

        var v3Response = await new Authorization.AuthorizationClient(server.Grpc).CheckAsync(v3);
        var v2Response = await new V2.Authorization.AuthorizationClient(server.Grpc).CheckAsync(v2);

        Assert.Equal("<too-long>", v3Response.OkResponse.Headers[1].Header.Value);
        Assert.Contains(bigHeader, v2Response.OkResponse.Headers[1].Header.Value, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("allow", GrpcOk)]
    [InlineData("deny", GrpcPermissionDenied)]
    public async Task V2_check_answers_like_v3(string checkHeader, int code)
    {
        await using var server = await RunningExtAuthz.StartAsync();
        var client = new V2.Authorization.AuthorizationClient(server.Grpc);

        var response = await client.CheckAsync(V2Check(checkHeader));

        Assert.Equal(code, response.Status.Code);
        var headers = code == GrpcOk ? response.OkResponse.Headers : response.DeniedResponse.Headers;
        Assert.Equal(code == GrpcOk ? "allowed" : "denied", headers[0].Header.Value);
        Assert.Equal("""request:{http:{headers:{key:"x-ext-authz" value:"CHECK"} path:"/check" host:"localhost"}}""".Replace("CHECK", checkHeader, StringComparison.Ordinal), headers[1].Header.Value);
        if (code != GrpcOk)
        {
            Assert.Equal(Envoy.Type.StatusCode.Forbidden, response.DeniedResponse.Status.Code);
            Assert.Equal("denied by ext_authz for not found header `x-ext-authz: allow` in the request", response.DeniedResponse.Body);
        }
    }

    [Fact]
    public async Task A_check_without_attributes_is_denied_and_dumped_as_nil()
    {
        await using var server = await RunningExtAuthz.StartAsync();

        var response = await new Authorization.AuthorizationClient(server.Grpc).CheckAsync(new CheckRequest());

        Assert.Equal(GrpcPermissionDenied, response.Status.Code);
        Assert.Equal("<nil>", response.DeniedResponse.Headers[1].Header.Value);
    }

    // The request of Istio's own test (samples/extauthz main_test.go).
    private static CheckRequest HttpCheck(string? checkHeader)
    {
        var http = new AttributeContext.Types.HttpRequest { Host = "localhost", Path = "/check" };
        if (checkHeader is not null)
        {
            http.Headers["x-ext-authz"] = checkHeader;
        }

        return new CheckRequest { Attributes = new AttributeContext { Request = new AttributeContext.Types.Request { Http = http } } };
    }

    private static V2.CheckRequest V2Check(string checkHeader) => new()
    {
        Attributes = new V2.AttributeContext
        {
            Request = new V2.AttributeContext.Types.Request
            {
                Http = new V2.AttributeContext.Types.HttpRequest { Host = "localhost", Path = "/check", Headers = { ["x-ext-authz"] = checkHeader } },
            },
        },
    };

    private static AttributeContext IstioTaskAttributes()
    {
        static AttributeContext.Types.Peer Peer(string address, uint port, string account) => new()
        {
            Address = new Address { SocketAddress = new SocketAddress { Address = address, PortValue = port } },
            Principal = $"spiffe://cluster.local/ns/foo/sa/{account}",
        };

        var http = new AttributeContext.Types.HttpRequest
        {
            Id = "13869142855783664817",
            Method = "GET",
            Path = "/headers",
            Host = "httpbin.foo:8000",
            Protocol = "HTTP/1.1",
        };
        // Inserted out of order: the dump sorts map keys.
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["x-request-id"] = "9609691a-4e9b-9545-ac71-3889bc2dffb0",
            [":authority"] = "httpbin.foo:8000",
            [":method"] = "GET",
            [":path"] = "/headers",
            ["accept"] = "*/*",
            ["content-length"] = "0",
            ["user-agent"] = "curl/7.74.0-DEV",
            ["x-b3-sampled"] = "1",
            ["x-b3-spanid"] = "377ba0cdc2334270",
            ["x-b3-traceid"] = "635187cb20d92f62377ba0cdc2334270",
            ["x-envoy-attempt-count"] = "1",
            ["x-ext-authz"] = "deny",
            ["x-forwarded-client-cert"] = "By=spiffe://cluster.local/ns/foo/sa/httpbin;Hash=dd14782fa2f439724d271dbed846ef843ff40d3932b615da650d028db655fc8d;Subject=\"\";URI=spiffe://cluster.local/ns/foo/sa/curl",
            ["x-forwarded-proto"] = "http",
        })
        {
            http.Headers[key] = value;
        }

        return new AttributeContext
        {
            Source = Peer("10.44.0.22", 52088, "curl"),
            Destination = Peer("10.44.3.30", 80, "httpbin"),
            Request = new AttributeContext.Types.Request { Time = new Timestamp { Seconds = 1610076306, Nanos = 473835000 }, Http = http },
            MetadataContext = new Metadata(),
        };
    }
}
