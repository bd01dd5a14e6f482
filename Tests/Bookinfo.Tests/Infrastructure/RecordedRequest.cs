using Microsoft.AspNetCore.Http;

namespace Bookinfo.Tests.Infrastructure;

/// <summary>What a fake upstream saw of one request.</summary>
public sealed record RecordedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers)
{
    public static RecordedRequest From(HttpRequest request) => new(
        request.Method,
        request.Path + request.QueryString,
        request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
