namespace Bookinfo.ProductPage;

/// <summary>The outcome of one upstream call: a 200 body, or why there is none.</summary>
internal readonly record struct UpstreamResponse(byte[]? Body, int? StatusCode, string? Failure)
{
    public bool IsSuccess => Body is not null;

    public static UpstreamResponse Success(byte[] body) => new(body, 200, null);

    public static UpstreamResponse Failed(int? statusCode, string failure) => new(null, statusCode, failure);
}
