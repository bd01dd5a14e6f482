using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Telemetry.Tracing;

/// <summary>Which header family carried the caller's trace context.</summary>
internal enum TraceHeaderStyle : byte
{
    None,
    W3C,
    B3Single,
    B3Multi,
}

/// <summary>
/// Reads the caller's trace context: W3C <c>traceparent</c>/<c>tracestate</c> first, then Zipkin B3
/// in its single-header (<c>b3</c>) and multi-header (<c>x-b3-*</c>) forms, as Envoy accepts both.
/// B3's 64-bit trace ids are widened to 128 bits; a B3 context without a sampling decision is
/// "deferred" and the proxy decides. When the caller used B3, the proxy rewrites those headers
/// with its own span so B3-only applications further down keep the same trace.
/// </summary>
internal static class TraceContextHeaders
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";
    public const string B3 = "b3";
    public const string B3TraceId = "x-b3-traceid";
    public const string B3SpanId = "x-b3-spanid";
    public const string B3ParentSpanId = "x-b3-parentspanid";
    public const string B3Sampled = "x-b3-sampled";
    public const string B3Flags = "x-b3-flags";

    /// <param name="deferred">B3 without a sampling decision: the context names the trace, the proxy samples.</param>
    public static bool TryExtract(IHeaderDictionary headers, out ActivityContext context, out TraceHeaderStyle style, out bool deferred)
    {
        deferred = false;
        if (headers.TryGetValue(TraceParent, out var traceParent) && traceParent.Count == 1
            && ActivityContext.TryParse(traceParent[0], headers.TryGetValue(TraceState, out var state) ? state.ToString() : null, isRemote: true, out context))
        {
            style = TraceHeaderStyle.W3C;
            return true;
        }

        if (headers.TryGetValue(B3, out var single) && single.Count == 1 && TryParseB3Single(single[0]!, out context, out deferred))
        {
            style = TraceHeaderStyle.B3Single;
            return true;
        }

        if (headers.TryGetValue(B3TraceId, out var traceId) && headers.TryGetValue(B3SpanId, out var spanId)
            && TryParseIds(traceId.ToString(), spanId.ToString(), out var trace, out var span))
        {
            var sampled = SampledFlag(headers.TryGetValue(B3Flags, out var flags) && flags == "1" ? "d" : headers.TryGetValue(B3Sampled, out var s) ? s.ToString() : null);
            deferred = sampled is null;
            context = new ActivityContext(trace, span, sampled == true ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None, isRemote: true);
            style = TraceHeaderStyle.B3Multi;
            return true;
        }

        context = default;
        style = TraceHeaderStyle.None;
        return false;
    }

    /// <summary>Points the caller's B3 headers at <paramref name="span"/> (the parent of the next hop).</summary>
    public static void RewriteB3(IHeaderDictionary headers, TraceHeaderStyle style, Activity span)
    {
        var sampled = span.Recorded ? "1" : "0";
        if (style == TraceHeaderStyle.B3Single)
        {
            headers[B3] = $"{span.TraceId.ToHexString()}-{span.SpanId.ToHexString()}-{sampled}";
            return;
        }

        headers[B3TraceId] = span.TraceId.ToHexString();
        headers[B3SpanId] = span.SpanId.ToHexString();
        headers[B3Sampled] = sampled;
        headers.Remove(B3Flags);
        if (span.ParentSpanId != default)
        {
            headers[B3ParentSpanId] = span.ParentSpanId.ToHexString();
        }
        else
        {
            headers.Remove(B3ParentSpanId);
        }
    }

    /// <summary><c>{traceid}-{spanid}[-{sampled}[-{parentspanid}]]</c>; a lone "0"/"d" is a decision without ids (not a context).</summary>
    public static bool TryParseB3Single(string value, out ActivityContext context, out bool deferred)
    {
        context = default;
        deferred = false;
        var parts = value.Split('-');
        if (parts.Length < 2 || !TryParseIds(parts[0], parts[1], out var trace, out var span))
        {
            return false;
        }

        var sampled = parts.Length >= 3 ? SampledFlag(parts[2]) : null;
        deferred = sampled is null;
        context = new ActivityContext(trace, span, sampled == true ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None, isRemote: true);
        return true;
    }

    private static bool? SampledFlag(string? value) => value switch
    {
        "1" or "d" or "true" => true,
        "0" or "false" => false,
        _ => null,
    };

    private static bool TryParseIds(string traceText, string spanText, out ActivityTraceId trace, out ActivitySpanId span)
    {
        trace = default;
        span = default;
        if (traceText.Length is not (16 or 32) || spanText.Length != 16 || !IsHex(traceText) || !IsHex(spanText))
        {
            return false;
        }

        trace = ActivityTraceId.CreateFromString(traceText.Length == 16 ? string.Concat("0000000000000000", traceText) : traceText);
        span = ActivitySpanId.CreateFromString(spanText);
        return trace != default && span != default && trace.ToHexString() != "00000000000000000000000000000000" && span.ToHexString() != "0000000000000000";
    }

    private static bool IsHex(string text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The B3 form the caller used (<paramref name="extracted"/> when the context came from B3),
    /// also when W3C headers took precedence; <see cref="TraceHeaderStyle.None"/> without B3 headers.
    /// </summary>
    public static TraceHeaderStyle B3StyleOf(IHeaderDictionary headers, TraceHeaderStyle extracted)
    {
        if (extracted is TraceHeaderStyle.B3Single or TraceHeaderStyle.B3Multi)
        {
            return extracted;
        }

        return headers.ContainsKey(B3) ? TraceHeaderStyle.B3Single
            : headers.ContainsKey(B3TraceId) ? TraceHeaderStyle.B3Multi
            : TraceHeaderStyle.None;
    }
}
