using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Core.Translation;

namespace Mesh.Proxy.Tests.Unit;

public sealed class RetryPolicyTests
{
    [Theory]
    [InlineData("5xx", 500, -1, true)]
    [InlineData("5xx", 503, -1, true)]
    [InlineData("5xx", 404, -1, false)]
    [InlineData("gateway-error", 502, -1, true)]
    [InlineData("gateway-error", 504, -1, true)]
    [InlineData("gateway-error", 500, -1, false)]
    [InlineData("retriable-4xx", 409, -1, true)]
    [InlineData("retriable-4xx", 429, -1, false)]
    [InlineData("retriable-status-codes", 503, -1, true)]
    [InlineData("retriable-status-codes", 500, -1, false)]
    [InlineData("unavailable", 200, 14, true)]
    [InlineData("unavailable", 200, 13, false)]
    [InlineData("cancelled", 200, 1, true)]
    [InlineData("deadline-exceeded", 200, 4, true)]
    [InlineData("internal", 200, 13, true)]
    [InlineData("resource-exhausted", 200, 8, true)]
    [InlineData("connect-failure", 503, -1, false)]
    [InlineData("reset", 503, -1, false)]
    public void Responses_retried_per_retry_on(string retryOn, int status, int grpcStatus, bool expected)
    {
        Assert.True(RetryOnNames.TryParse(retryOn, out var condition));
        var policy = new RetryPolicyModel(2, TimeSpan.Zero, condition, [503]);
        Assert.Equal(expected, policy.ShouldRetryResponse(status, grpcStatus));
    }

    [Theory]
    [InlineData("5xx", UpstreamFailure.ConnectFailure, true)]
    [InlineData("5xx", UpstreamFailure.Reset, true)]
    [InlineData("5xx", UpstreamFailure.PerTryTimeout, true)]
    [InlineData("gateway-error", UpstreamFailure.PerTryTimeout, true)]
    [InlineData("reset", UpstreamFailure.Reset, true)]
    [InlineData("reset", UpstreamFailure.PerTryTimeout, true)]
    [InlineData("connect-failure", UpstreamFailure.ConnectFailure, true)]
    [InlineData("connect-failure", UpstreamFailure.Reset, false)]
    [InlineData("connect-failure", UpstreamFailure.PerTryTimeout, false)]
    [InlineData("refused-stream", UpstreamFailure.RefusedStream, true)]
    [InlineData("refused-stream", UpstreamFailure.Reset, false)]
    [InlineData("unavailable", UpstreamFailure.ConnectFailure, false)]
    [InlineData("retriable-4xx", UpstreamFailure.Reset, false)]
    public void Failures_retried_per_retry_on(string retryOn, UpstreamFailure failure, bool expected)
    {
        Assert.True(RetryOnNames.TryParse(retryOn, out var condition));
        Assert.Equal(expected, new RetryPolicyModel(1, TimeSpan.Zero, condition, []).ShouldRetryFailure(failure));
    }

    [Theory]
    [InlineData(0, 25)]
    [InlineData(1, 50)]
    [InlineData(2, 100)]
    [InlineData(3, 200)]
    [InlineData(4, 250)]
    [InlineData(30, 250)]
    public void Backoff_is_envoys_fully_jittered_exponential(int retryIndex, int upperMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(upperMs), RetryBackoff.UpperBound(retryIndex));
        for (var i = 0; i < 200; i++)
        {
            Assert.InRange(RetryBackoff.Next(retryIndex), TimeSpan.Zero, TimeSpan.FromMilliseconds(upperMs));
        }
    }

    [Fact]
    public void Status_codes_outside_http_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicyModel(1, TimeSpan.Zero, RetryOn.RetriableStatusCodes, [600]));
        Assert.False(RetryOnNames.TryParse("5XX", out _));
        Assert.False(RetryOnNames.TryParse("envoy-ratelimited", out _));
    }
}
