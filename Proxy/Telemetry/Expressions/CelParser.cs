using System.Text.RegularExpressions;

namespace Mesh.Proxy.Telemetry.Expressions;

/// <summary>
/// Recursive-descent parser for the CEL subset Istio's Telemetry filters and tag overrides use:
/// literals, attributes, <c>[]</c> and field access on maps, <c>! - * / % + - &lt; &lt;= &gt; &gt;= == != in &amp;&amp; || ?:</c>,
/// list literals, <c>size int double string duration has matches</c> and the string methods
/// <c>startsWith endsWith contains matches size</c>. Unknown attributes and functions are errors,
/// reported before the snapshot is applied.
/// </summary>
internal sealed class CelParser
{
    private readonly List<CelToken> _tokens;
    private int _next;

    private CelParser(string text)
    {
        _tokens = CelLexer.Tokenize(text);
    }

    public static CelNode Parse(string text)
    {
        var parser = new CelParser(text);
        var node = parser.ParseExpression();
        if (parser.Peek.Kind != CelTokenKind.End)
        {
            throw new CelSyntaxException($"unexpected '{parser.Peek.Text}' at position {parser.Peek.Position}", parser.Peek.Position);
        }

        return node;
    }

    private CelToken Peek => _tokens[_next];

    private CelToken Take() => _tokens[_next++];

    private bool TakeOperator(string op)
    {
        if (Peek.Kind == CelTokenKind.Operator && Peek.Text == op)
        {
            _next++;
            return true;
        }

        return false;
    }

    private void Expect(string op)
    {
        if (!TakeOperator(op))
        {
            throw new CelSyntaxException($"expected '{op}' at position {Peek.Position}, found '{(Peek.Kind == CelTokenKind.End ? "end of expression" : Peek.Text)}'", Peek.Position);
        }
    }

    private CelNode ParseExpression()
    {
        var condition = ParseOr();
        if (!TakeOperator("?"))
        {
            return condition;
        }

        var whenTrue = ParseOr();
        Expect(":");
        var whenFalse = ParseExpression();
        return new ConditionalNode(condition, whenTrue, whenFalse);
    }

    private CelNode ParseOr()
    {
        var left = ParseAnd();
        while (TakeOperator("||"))
        {
            left = new LogicalNode(left, ParseAnd(), isAnd: false);
        }

        return left;
    }

    private CelNode ParseAnd()
    {
        var left = ParseRelation();
        while (TakeOperator("&&"))
        {
            left = new LogicalNode(left, ParseRelation(), isAnd: true);
        }

        return left;
    }

    private CelNode ParseRelation()
    {
        var left = ParseAdditive();
        while (true)
        {
            CelOperator? op = Peek switch
            {
                { Kind: CelTokenKind.Operator, Text: "==" } => CelOperator.Equal,
                { Kind: CelTokenKind.Operator, Text: "!=" } => CelOperator.NotEqual,
                { Kind: CelTokenKind.Operator, Text: "<" } => CelOperator.Less,
                { Kind: CelTokenKind.Operator, Text: "<=" } => CelOperator.LessOrEqual,
                { Kind: CelTokenKind.Operator, Text: ">" } => CelOperator.Greater,
                { Kind: CelTokenKind.Operator, Text: ">=" } => CelOperator.GreaterOrEqual,
                { Kind: CelTokenKind.Identifier, Text: "in" } => CelOperator.In,
                _ => null,
            };
            if (op is null)
            {
                return left;
            }

            _next++;
            left = new BinaryNode(op.Value, left, ParseAdditive());
        }
    }

    private CelNode ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (true)
        {
            if (TakeOperator("+"))
            {
                left = new BinaryNode(CelOperator.Add, left, ParseMultiplicative());
            }
            else if (TakeOperator("-"))
            {
                left = new BinaryNode(CelOperator.Subtract, left, ParseMultiplicative());
            }
            else
            {
                return left;
            }
        }
    }

    private CelNode ParseMultiplicative()
    {
        var left = ParseUnary();
        while (true)
        {
            if (TakeOperator("*"))
            {
                left = new BinaryNode(CelOperator.Multiply, left, ParseUnary());
            }
            else if (TakeOperator("/"))
            {
                left = new BinaryNode(CelOperator.Divide, left, ParseUnary());
            }
            else if (TakeOperator("%"))
            {
                left = new BinaryNode(CelOperator.Modulo, left, ParseUnary());
            }
            else
            {
                return left;
            }
        }
    }

    private CelNode ParseUnary()
    {
        if (TakeOperator("!"))
        {
            return new NotNode(ParseUnary());
        }

        if (TakeOperator("-"))
        {
            var operand = ParseUnary();
            return operand is ConstantNode { Value.Kind: CelKind.Int or CelKind.Double } constant
                ? new ConstantNode(new NegateNode(constant).Evaluate(NoAttributes.Instance))
                : new NegateNode(operand);
        }

        return ParseMember(ParsePrimary());
    }

    private CelNode ParseMember(CelNode operand)
    {
        while (true)
        {
            if (TakeOperator("["))
            {
                var key = ParseExpression();
                Expect("]");
                operand = new IndexNode(operand, key);
                continue;
            }

            if (!TakeOperator("."))
            {
                return operand;
            }

            var name = Take();
            if (name.Kind != CelTokenKind.Identifier)
            {
                throw new CelSyntaxException($"expected a field or method name at position {name.Position}", name.Position);
            }

            operand = TakeOperator("(") ? Method(operand, name) : new SelectNode(operand, name.Text);
        }
    }

    private CelNode ParsePrimary()
    {
        var token = Take();
        switch (token.Kind)
        {
            case CelTokenKind.Int:
                return new ConstantNode(CelValue.Int(token.IntValue));
            case CelTokenKind.Double:
                return new ConstantNode(CelValue.Double(token.DoubleValue));
            case CelTokenKind.String:
                return new ConstantNode(CelValue.String(token.Text));
            case CelTokenKind.Operator when token.Text == "(":
                var inner = ParseExpression();
                Expect(")");
                return inner;
            case CelTokenKind.Operator when token.Text == "[":
                var items = new List<CelNode>();
                if (!TakeOperator("]"))
                {
                    do
                    {
                        items.Add(ParseExpression());
                    }
                    while (TakeOperator(","));
                    Expect("]");
                }

                return new ListNode([.. items]);
            case CelTokenKind.Identifier:
                return Identifier(token);
            default:
                throw new CelSyntaxException(
                    token.Kind == CelTokenKind.End ? "unexpected end of expression" : $"unexpected '{token.Text}' at position {token.Position}", token.Position);
        }
    }

    private CelNode Identifier(CelToken token)
    {
        switch (token.Text)
        {
            case "true":
                return new ConstantNode(CelValue.True);
            case "false":
                return new ConstantNode(CelValue.False);
            case "null":
                return new ConstantNode(CelValue.Null);
        }

        if (TakeOperator("("))
        {
            return GlobalCall(token);
        }

        if (!CelAttributes.Roots.Contains(token.Text))
        {
            throw new CelSyntaxException($"unknown attribute '{token.Text}' at position {token.Position}", token.Position);
        }

        // Attribute names are dotted paths ("request.url_path"): take the longest known one.
        var path = token.Text;
        while (Peek.Kind == CelTokenKind.Operator && Peek.Text == "." && _tokens[_next + 1].Kind == CelTokenKind.Identifier
            && !CelAttributes.ByName.ContainsKey(path))
        {
            path = $"{path}.{_tokens[_next + 1].Text}";
            _next += 2;
        }

        return CelAttributes.ByName.TryGetValue(path, out var attribute)
            ? new AttributeNode(attribute)
            : throw new CelSyntaxException($"unknown attribute '{path}' at position {token.Position}", token.Position);
    }

    private List<CelNode> Arguments()
    {
        var arguments = new List<CelNode>();
        if (TakeOperator(")"))
        {
            return arguments;
        }

        do
        {
            arguments.Add(ParseExpression());
        }
        while (TakeOperator(","));
        Expect(")");
        return arguments;
    }

    private CelNode Method(CelNode target, CelToken name)
    {
        var arguments = Arguments();
        return (name.Text, arguments.Count) switch
        {
            ("startsWith", 1) => new StringTestNode(CelStringTest.StartsWith, target, arguments[0]),
            ("endsWith", 1) => new StringTestNode(CelStringTest.EndsWith, target, arguments[0]),
            ("contains", 1) => new StringTestNode(CelStringTest.Contains, target, arguments[0]),
            ("matches", 1) => new MatchesNode(target, Pattern(arguments[0], name)),
            ("size", 0) => new SizeNode(target),
            _ => throw new CelSyntaxException($"unknown method '{name.Text}' with {arguments.Count} argument(s) at position {name.Position}", name.Position),
        };
    }

    private CelNode GlobalCall(CelToken name)
    {
        var arguments = Arguments();
        switch (name.Text, arguments.Count)
        {
            case ("size", 1):
                return new SizeNode(arguments[0]);
            case ("int", 1):
                return new ConversionNode(CelConversion.ToInt, arguments[0]);
            case ("double", 1):
                return new ConversionNode(CelConversion.ToDouble, arguments[0]);
            case ("string", 1):
                return new ConversionNode(CelConversion.ToString, arguments[0]);
            case ("matches", 2):
                return new MatchesNode(arguments[0], Pattern(arguments[1], name));
            case ("duration", 1):
                if (arguments[0] is ConstantNode { Value.Kind: CelKind.String } literal && CelDuration.TryParse(literal.Value.AsString, out var duration))
                {
                    return new ConstantNode(CelValue.Duration(duration));
                }

                throw new CelSyntaxException($"duration() needs a literal such as '1.5s' or '300ms' at position {name.Position}", name.Position);
            case ("has", 1):
                return arguments[0] is SelectNode select
                    ? new HasNode(select.Operand, select.Field)
                    : throw new CelSyntaxException($"has() needs a field selection such as has(request.headers.x_user) at position {name.Position}", name.Position);
            default:
                throw new CelSyntaxException($"unknown function '{name.Text}' with {arguments.Count} argument(s) at position {name.Position}", name.Position);
        }
    }

    private static Regex Pattern(CelNode argument, CelToken at)
    {
        if (argument is not ConstantNode { Value.Kind: CelKind.String } literal)
        {
            throw new CelSyntaxException($"matches() needs a literal pattern at position {at.Position}", at.Position);
        }

        try
        {
            // Linear-time matching (like Envoy's RE2) needs no timeout; a timeout would throw on the
            // request path whenever a loaded machine is slow to build the pattern's automaton.
            var regex = new Regex(literal.Value.AsString, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
            regex.IsMatch(string.Empty); // builds the automaton now, not on the first request
            return regex;
        }
        catch (ArgumentException ex)
        {
            throw new CelSyntaxException($"'{literal.Value.AsString}' is not a valid regular expression: {ex.Message}", at.Position);
        }
    }

    private sealed class NoAttributes : ICelAttributes
    {
        public static readonly NoAttributes Instance = new();

        public CelValue Get(CelAttribute attribute) => CelValue.Error("no attributes");
    }
}

/// <summary><c>map.field</c>: a key lookup on a map, kept apart from <c>map['key']</c> for the <c>has()</c> macro.</summary>
internal sealed class SelectNode(CelNode operand, string field) : CelNode
{
    public CelNode Operand { get; } = operand;

    public string Field { get; } = field;

    public override CelValue Evaluate(ICelAttributes attributes)
    {
        var target = Operand.Evaluate(attributes);
        return target.Kind switch
        {
            CelKind.Map => IndexNode.Lookup(target.AsMap, Field),
            CelKind.Error => target,
            _ => CelValue.Error($"cannot select field '{Field}' of a {CelValue.KindName(target.Kind)}"),
        };
    }

    public override bool IsConnectionScoped => Operand.IsConnectionScoped;
}
