namespace Mesh.Proxy.Telemetry.Expressions;

internal enum CelOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    In,
}

internal sealed class NotNode(CelNode operand) : CelNode
{
    public override CelValue Evaluate(ICelAttributes attributes)
    {
        var value = operand.Evaluate(attributes);
        return value.Kind switch
        {
            CelKind.Bool => CelValue.Bool(!value.AsBool),
            CelKind.Error => value,
            _ => CelValue.Error($"'!' needs a bool, got a {CelValue.KindName(value.Kind)}"),
        };
    }

    public override bool IsConnectionScoped => operand.IsConnectionScoped;
}

internal sealed class NegateNode(CelNode operand) : CelNode
{
    public override CelValue Evaluate(ICelAttributes attributes)
    {
        var value = operand.Evaluate(attributes);
        return value.Kind switch
        {
            CelKind.Int => CelValue.Int(-value.AsInt),
            CelKind.Double => CelValue.Double(-value.AsDouble),
            CelKind.Error => value,
            _ => CelValue.Error($"'-' needs a number, got a {CelValue.KindName(value.Kind)}"),
        };
    }

    public override bool IsConnectionScoped => operand.IsConnectionScoped;
}

/// <summary>
/// CEL's commutative logical operators: a definite answer wins over an error on the other side
/// (<c>true || error</c> is true, <c>false &amp;&amp; error</c> is false).
/// </summary>
internal sealed class LogicalNode(CelNode left, CelNode right, bool isAnd) : CelNode
{
    public override CelValue Evaluate(ICelAttributes attributes)
    {
        var l = left.Evaluate(attributes);
        if (l.Kind == CelKind.Bool && l.AsBool != isAnd)
        {
            return l;
        }

        var r = right.Evaluate(attributes);
        if (r.Kind == CelKind.Bool && r.AsBool != isAnd)
        {
            return r;
        }

        if (l.IsError)
        {
            return l;
        }

        if (r.IsError)
        {
            return r;
        }

        return l.Kind == CelKind.Bool && r.Kind == CelKind.Bool
            ? CelValue.Bool(isAnd)
            : CelValue.Error($"'{(isAnd ? "&&" : "||")}' needs bools, got {CelValue.KindName(l.Kind)} and {CelValue.KindName(r.Kind)}");
    }

    public override bool IsConnectionScoped => left.IsConnectionScoped && right.IsConnectionScoped;
}

internal sealed class BinaryNode(CelOperator op, CelNode left, CelNode right) : CelNode
{
    public override CelValue Evaluate(ICelAttributes attributes)
    {
        var l = left.Evaluate(attributes);
        if (l.IsError)
        {
            return l;
        }

        var r = right.Evaluate(attributes);
        return r.IsError ? r : Apply(op, l, r);
    }

    public override bool IsConnectionScoped => left.IsConnectionScoped && right.IsConnectionScoped;

    public static CelValue Apply(CelOperator op, CelValue l, CelValue r) => op switch
    {
        CelOperator.Equal => Equal(l, r),
        CelOperator.NotEqual => Equal(l, r) is { Kind: CelKind.Bool } eq ? CelValue.Bool(!eq.AsBool) : Equal(l, r),
        CelOperator.In => In(l, r),
        CelOperator.Add or CelOperator.Subtract or CelOperator.Multiply or CelOperator.Divide or CelOperator.Modulo => Arithmetic(op, l, r),
        _ => Compare(op, l, r),
    };

    private static CelValue Equal(CelValue l, CelValue r)
    {
        if (IsNumber(l) && IsNumber(r))
        {
            return CelValue.Bool(l.Kind == CelKind.Int && r.Kind == CelKind.Int ? l.AsInt == r.AsInt : l.AsDouble == r.AsDouble);
        }

        if (l.Kind != r.Kind)
        {
            return CelValue.False;
        }

        return l.Kind switch
        {
            CelKind.String => CelValue.Bool(string.Equals(l.AsString, r.AsString, StringComparison.Ordinal)),
            CelKind.Bool or CelKind.Duration => CelValue.Bool(l.AsInt == r.AsInt),
            CelKind.Null => CelValue.True,
            _ => CelValue.Error($"cannot compare {CelValue.KindName(l.Kind)} values for equality"),
        };
    }

    private static CelValue Compare(CelOperator op, CelValue l, CelValue r)
    {
        int order;
        if (IsNumber(l) && IsNumber(r))
        {
            order = l.Kind == CelKind.Int && r.Kind == CelKind.Int ? l.AsInt.CompareTo(r.AsInt) : l.AsDouble.CompareTo(r.AsDouble);
        }
        else if (l.Kind == r.Kind && l.Kind is CelKind.String)
        {
            order = string.CompareOrdinal(l.AsString, r.AsString);
        }
        else if (l.Kind == r.Kind && l.Kind is CelKind.Duration)
        {
            order = l.AsInt.CompareTo(r.AsInt);
        }
        else
        {
            return CelValue.Error($"cannot order a {CelValue.KindName(l.Kind)} and a {CelValue.KindName(r.Kind)}");
        }

        return CelValue.Bool(op switch
        {
            CelOperator.Less => order < 0,
            CelOperator.LessOrEqual => order <= 0,
            CelOperator.Greater => order > 0,
            _ => order >= 0,
        });
    }

    private static CelValue In(CelValue item, CelValue collection)
    {
        switch (collection.Kind)
        {
            case CelKind.Map when item.Kind == CelKind.String:
                return CelValue.Bool(collection.AsMap.ContainsKey(item.AsString));
            case CelKind.List:
                foreach (var element in collection.AsList)
                {
                    if (Equal(item, element) is { Kind: CelKind.Bool, AsBool: true })
                    {
                        return CelValue.True;
                    }
                }

                return CelValue.False;
            default:
                return CelValue.Error($"'in' needs a list or a map, got a {CelValue.KindName(collection.Kind)}");
        }
    }

    private static CelValue Arithmetic(CelOperator op, CelValue l, CelValue r)
    {
        if (l.Kind == CelKind.Int && r.Kind == CelKind.Int)
        {
            var a = l.AsInt;
            var b = r.AsInt;
            return op switch
            {
                CelOperator.Add => CelValue.Int(a + b),
                CelOperator.Subtract => CelValue.Int(a - b),
                CelOperator.Multiply => CelValue.Int(a * b),
                _ when b == 0 => CelValue.Error("division by zero"),
                CelOperator.Divide => CelValue.Int(a / b),
                _ => CelValue.Int(a % b),
            };
        }

        if (IsNumber(l) && IsNumber(r) && op != CelOperator.Modulo)
        {
            var a = l.AsDouble;
            var b = r.AsDouble;
            return CelValue.Double(op switch
            {
                CelOperator.Add => a + b,
                CelOperator.Subtract => a - b,
                CelOperator.Multiply => a * b,
                _ => a / b,
            });
        }

        if (op == CelOperator.Add && l.Kind == CelKind.String && r.Kind == CelKind.String)
        {
            return CelValue.String(string.Concat(l.AsString, r.AsString));
        }

        if (l.Kind == CelKind.Duration && r.Kind == CelKind.Duration && op is CelOperator.Add or CelOperator.Subtract)
        {
            return CelValue.Duration(op == CelOperator.Add ? l.AsDuration + r.AsDuration : l.AsDuration - r.AsDuration);
        }

        return CelValue.Error($"unsupported operands {CelValue.KindName(l.Kind)} and {CelValue.KindName(r.Kind)}");
    }

    private static bool IsNumber(CelValue value) => value.Kind is CelKind.Int or CelKind.Double;
}
