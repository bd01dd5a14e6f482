using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Telemetry.Expressions;

internal enum CelKind : byte
{
    Error,
    Null,
    Bool,
    Int,
    Double,
    String,
    Duration,
    Map,
    List,
}

/// <summary>
/// A value of the expression language without boxing: numbers and durations live in the struct,
/// strings, header maps and lists by reference. Errors are values (CEL semantics): they flow
/// through operators until a short-circuit discards them or the result is read.
/// </summary>
internal readonly struct CelValue
{
    private readonly long _int;
    private readonly double _double;
    private readonly object? _ref;

    private CelValue(CelKind kind, long integer = 0, double real = 0, object? reference = null)
    {
        Kind = kind;
        _int = integer;
        _double = real;
        _ref = reference;
    }

    public CelKind Kind { get; }

    public static CelValue Null => new(CelKind.Null);

    public static CelValue True { get; } = new(CelKind.Bool, 1);

    public static CelValue False { get; } = new(CelKind.Bool, 0);

    public bool IsError => Kind == CelKind.Error;

    public bool AsBool => _int != 0;

    public long AsInt => _int;

    public double AsDouble => Kind == CelKind.Int ? _int : _double;

    public string AsString => (string)_ref!;

    public TimeSpan AsDuration => TimeSpan.FromTicks(_int);

    public IHeaderDictionary AsMap => (IHeaderDictionary)_ref!;

    public CelValue[] AsList => (CelValue[])_ref!;

    public string ErrorMessage => Kind == CelKind.Error ? (string)_ref! : string.Empty;

    public static CelValue Bool(bool value) => value ? True : False;

    public static CelValue Int(long value) => new(CelKind.Int, value);

    public static CelValue Double(double value) => new(CelKind.Double, real: value);

    public static CelValue String(string? value) => value is null ? Null : new(CelKind.String, reference: value);

    public static CelValue Duration(TimeSpan value) => new(CelKind.Duration, value.Ticks);

    public static CelValue Map(IHeaderDictionary headers) => new(CelKind.Map, reference: headers);

    public static CelValue List(CelValue[] items) => new(CelKind.List, reference: items);

    public static CelValue Error(string message) => new(CelKind.Error, reference: message);

    public static string KindName(CelKind kind) => kind switch
    {
        CelKind.Int => "int",
        CelKind.Double => "double",
        CelKind.String => "string",
        CelKind.Bool => "bool",
        CelKind.Duration => "duration",
        CelKind.Map => "map",
        CelKind.List => "list",
        CelKind.Null => "null",
        _ => "error",
    };

    /// <summary>The value as a metric label or span tag value (what Envoy prints for it).</summary>
    public string? ToText() => Kind switch
    {
        CelKind.String => AsString,
        CelKind.Int => _int.ToString(CultureInfo.InvariantCulture),
        CelKind.Double => _double.ToString(CultureInfo.InvariantCulture),
        CelKind.Bool => _int != 0 ? "true" : "false",
        CelKind.Duration => AsDuration.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s",
        _ => null,
    };

    public override string ToString() => Kind == CelKind.Error ? $"error: {ErrorMessage}" : ToText() ?? KindName(Kind);
}
