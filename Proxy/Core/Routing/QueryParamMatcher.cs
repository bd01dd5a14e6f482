using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Core.Routing;

/// <summary>One query parameter condition of a route match (first value wins, as in Envoy).</summary>
public sealed class QueryParamMatcher
{
    public QueryParamMatcher(string name, StringMatcher matcher)
    {
        Name = name;
        Matcher = matcher;
    }

    public string Name { get; }

    public StringMatcher Matcher { get; }

    public bool Matches(HttpRequest request)
    {
        if (!request.QueryString.HasValue || !request.Query.TryGetValue(Name, out var values) || values.Count == 0)
        {
            return false;
        }

        return Matcher.Matches(values[0]);
    }
}
