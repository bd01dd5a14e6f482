using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace Bookinfo.ProductPage;

/// <summary>
/// Calls details, reviews and ratings with Bookinfo's timeouts and retry. The user's name
/// goes along as <c>end-user</c> (Istio's request-routing task routes on it); x-request-id and
/// user-agent are forwarded by the service defaults' header propagation, trace context by
/// OpenTelemetry. Cookies are never forwarded: they hold this page's session.
/// </summary>
internal sealed partial class ProductUpstreams(
    IHttpClientFactory httpClientFactory,
    IOptions<ProductPageOptions> options,
    ILogger<ProductUpstreams> logger)
{
    public const string DetailsClient = "details";
    public const string ReviewsClient = "reviews";
    public const string RatingsClient = "ratings";
    public const string EndUserHeader = "end-user";

    /// <summary>Upstream bodies are small JSON documents; refuse to buffer anything large.</summary>
    public const int MaxResponseBytes = 1024 * 1024;

    private static readonly MediaTypeWithQualityHeaderValue Json = new("application/json");

    public Task<UpstreamResponse> GetDetailsAsync(int productId, string? endUser, CancellationToken cancellationToken) =>
        FetchAsync(DetailsClient, $"details/{productId}", options.Value.DetailsTimeout, 1, endUser, cancellationToken);

    public Task<UpstreamResponse> GetReviewsAsync(int productId, string? endUser, CancellationToken cancellationToken) =>
        FetchAsync(ReviewsClient, $"reviews/{productId}", options.Value.ReviewsTimeout, options.Value.ReviewsAttempts, endUser, cancellationToken);

    public Task<UpstreamResponse> GetRatingsAsync(int productId, string? endUser, CancellationToken cancellationToken) =>
        FetchAsync(RatingsClient, $"ratings/{productId}", options.Value.RatingsTimeout, 1, endUser, cancellationToken);

    private async Task<UpstreamResponse> FetchAsync(
        string upstream, string path, TimeSpan timeout, int attempts, string? endUser, CancellationToken cancellationToken)
    {
        var client = httpClientFactory.CreateClient(upstream);
        var outcome = UpstreamResponse.Failed(null, "not attempted");
        for (var attempt = 1; attempt <= Math.Max(1, attempts); attempt++)
        {
            outcome = await TryFetchAsync(client, path, timeout, endUser, cancellationToken);
            if (outcome.IsSuccess)
            {
                return outcome;
            }

            LogUpstreamFailed(logger, upstream, path, attempt, outcome.Failure);
        }

        return outcome;
    }

    private static async Task<UpstreamResponse> TryFetchAsync(
        HttpClient client, string path, TimeSpan timeout, string? endUser, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Accept.Add(Json);
            if (!string.IsNullOrEmpty(endUser))
            {
                request.Headers.TryAddWithoutValidation(EndUserHeader, endUser);
            }

            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeoutSource.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return UpstreamResponse.Failed((int)response.StatusCode, $"status {(int)response.StatusCode}");
            }

            return UpstreamResponse.Success(await response.Content.ReadAsByteArrayAsync(timeoutSource.Token));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return UpstreamResponse.Failed(null, $"timed out after {timeout.TotalMilliseconds:0} ms");
        }
        catch (HttpRequestException e)
        {
            return UpstreamResponse.Failed((int?)e.StatusCode, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Service discovery reports a broken services:<name> entry with whatever exception
            // its parser throws; one misconfigured upstream must degrade its part of the page,
            // not fail the whole request.
            return UpstreamResponse.Failed(null, $"{e.GetType().Name}: {e.Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upstream {Upstream} /{Path} failed (try {Attempt}): {Failure}")]
    private static partial void LogUpstreamFailed(ILogger logger, string upstream, string path, int attempt, string? failure);
}
