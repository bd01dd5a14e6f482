using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Core.Explain;

/// <summary>
/// The request being explained and what has been decided for it so far. <see cref="HttpContext"/> is
/// a request built from the explain input (never sent anywhere); <see cref="Routing"/> carries what
/// the routing stage decided, as for a real request. Explainers record steps, set result fields
/// (<c>virtual_service</c>, <c>route</c>, <c>cluster</c>, <c>authorization</c>, ...) and end the
/// request where their stage would answer it.
/// </summary>
public sealed class ExplainContext
{
    private readonly List<ExplainStep> _steps = [];
    private readonly Dictionary<string, string> _result = new(StringComparer.Ordinal);

    internal ExplainContext(HttpContext httpContext, RoutingResult routing)
    {
        HttpContext = httpContext;
        Routing = routing;
    }

    public HttpContext HttpContext { get; }

    public RoutingResult Routing { get; }

    public IReadOnlyList<ExplainStep> Steps => _steps;

    /// <summary>Named outcomes of the explanation (<c>route</c>, <c>virtual_service</c>, <c>cluster</c>, <c>subset</c>, <c>authorization</c>, <c>policy</c>, <c>rule</c>...).</summary>
    public IReadOnlyDictionary<string, string> Result => _result;

    /// <summary>True once a stage ended the request; later stages do not run, as in the pipeline.</summary>
    public bool Ended { get; private set; }

    /// <summary>The status the proxy would answer with when a stage ended the request (0: none, e.g. a closed connection).</summary>
    public int EndStatus { get; private set; }

    public string? EndReason { get; private set; }

    public void Add(ExplainStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        _steps.Add(step);
    }

    public void Set(string name, string? value)
    {
        if (value is not null)
        {
            _result[name] = value;
        }
    }

    /// <summary>The request would end at this stage with <paramref name="status"/> (0 for a closed connection).</summary>
    public void End(int status, string reason)
    {
        Ended = true;
        EndStatus = status;
        EndReason = reason;
    }
}
