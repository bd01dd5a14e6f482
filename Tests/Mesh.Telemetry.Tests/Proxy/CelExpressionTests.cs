using Mesh.Proxy.Telemetry.Expressions;

namespace Mesh.Telemetry.Tests.Proxy;

/// <summary>
/// The expression evaluator behind the Telemetry resource's access log filter and tag overrides,
/// on the expressions Istio's documentation uses and on the ways they go wrong.
/// </summary>
public sealed class CelExpressionTests
{
    private static readonly FakeRequest Request = new();

    [Theory]
    [InlineData("response.code >= 400", true)]
    [InlineData("response.code >= 500", false)]
    [InlineData("response.code == 404 && request.method == 'GET'", true)]
    [InlineData("response.code < 400 || request.url_path.startsWith('/api/')", true)]
    [InlineData("!(request.url_path in ['/health', '/ready'])", true)]
    [InlineData("request.headers['x-user'] == 'jason'", true)]
    [InlineData("request.headers['x-missing'] == 'jason'", false)]
    [InlineData("has(request.headers.authorization)", true)]
    [InlineData("has(request.headers.cookie)", false)]
    [InlineData("request.duration > duration('250ms')", true)]
    [InlineData("request.duration > duration('1s')", false)]
    [InlineData("request.url_path.matches('^/api/v[0-9]+/')", true)]
    [InlineData("size(request.url_path) == 12", true)]
    [InlineData("response.code >= 400 ? true : false", true)]
    [InlineData("request.path.endsWith('?debug=1')", true)]
    [InlineData("xds.route_name == 'reviews-v2' && upstream.port == 9080", true)]
    public void Filters_evaluate_like_Istio(string expression, bool expected) =>
        Assert.Equal(expected, CelProgram.Compile(expression).Matches(Request));

    [Theory]
    [InlineData("request.method", "GET")]
    [InlineData("string(response.code)", "404")]
    [InlineData("request.headers['x-user']", "jason")]
    [InlineData("'constant'", "constant")]
    public void Tag_overrides_evaluate_to_label_values(string expression, string expected) =>
        Assert.Equal(expected, CelProgram.Compile(expression).Evaluate(Request).ToText());

    [Theory]
    [InlineData("response.code >=")]
    [InlineData("request.nope == 1")]
    [InlineData("frobnicate(response.code)")]
    [InlineData("response.code == 'x")]
    [InlineData("request.url_path.matches('[')")]
    [InlineData("has(request.headers['x-user'])")] // CEL's has() takes a field selection only
    public void Malformed_expressions_are_rejected_when_compiled(string expression) =>
        Assert.Throws<CelSyntaxException>(() => CelProgram.Compile(expression));

    [Fact]
    public void An_expression_that_fails_at_run_time_does_not_match()
    {
        // Comparing a string with a number is an error in CEL, and an error is not "true".
        Assert.False(CelProgram.Compile("request.method > 3").Matches(Request));
        Assert.False(CelProgram.Compile("response.grpc_status == 0").Matches(Request));
    }

    private sealed class FakeRequest : ICelAttributes
    {
        private readonly HeaderDictionary _headers = new() { ["x-user"] = "jason", ["authorization"] = "Bearer token" };

        public CelValue Get(CelAttribute attribute) => attribute switch
        {
            CelAttribute.ResponseCode => CelValue.Int(404),
            CelAttribute.RequestMethod => CelValue.String("GET"),
            CelAttribute.RequestUrlPath => CelValue.String("/api/v2/item"),
            CelAttribute.RequestPath => CelValue.String("/api/v2/item?debug=1"),
            CelAttribute.RequestHeaders => CelValue.Map(_headers),
            CelAttribute.RequestDuration => CelValue.Duration(TimeSpan.FromMilliseconds(300)),
            CelAttribute.XdsRouteName => CelValue.String("reviews-v2"),
            CelAttribute.UpstreamPort => CelValue.Int(9080),
            CelAttribute.ResponseGrpcStatus => CelValue.Error("no grpc status"),
            _ => CelValue.Error($"{attribute} not set"),
        };
    }
}
