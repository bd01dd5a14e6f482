namespace Mesh.Proxy.Telemetry.Expressions;

/// <summary>A compiled expression (Istio Telemetry filter or tag override), safe to share across threads.</summary>
internal sealed class CelProgram
{
    private readonly CelNode _root;

    private CelProgram(string text, CelNode root)
    {
        Text = text;
        _root = root;
    }

    public string Text { get; }

    /// <summary>Whether the expression reads only connection attributes (usable for TCP connection metrics).</summary>
    public bool IsConnectionScoped => _root.IsConnectionScoped;

    /// <summary>A literal (e.g. <c>'canary'</c>): the same value for every request.</summary>
    public bool IsConstant => _root is ConstantNode;

    /// <exception cref="CelSyntaxException">The text does not parse or names an unknown attribute or function.</exception>
    public static CelProgram Compile(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new CelSyntaxException("the expression is empty", 0);
        }

        return new CelProgram(text, CelParser.Parse(text));
    }

    public CelValue Evaluate(ICelAttributes attributes) => _root.Evaluate(attributes);

    /// <summary>A filter's verdict: true only for a bool true; errors and other values are false (Envoy's behaviour).</summary>
    public bool Matches(ICelAttributes attributes) => _root.Evaluate(attributes) is { Kind: CelKind.Bool, AsBool: true };

    public override string ToString() => Text;
}
