using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Telemetry.Expressions;

/// <summary>A node of a parsed expression; evaluation allocates nothing for the usual filters.</summary>
internal abstract class CelNode
{
    public abstract CelValue Evaluate(ICelAttributes attributes);

    /// <summary>Whether the value depends only on what a connection knows (no request or response).</summary>
    public abstract bool IsConnectionScoped { get; }
}

internal sealed class ConstantNode(CelValue value) : CelNode
{
    public CelValue Value { get; } = value;

    public override CelValue Evaluate(ICelAttributes attributes) => Value;

    public override bool IsConnectionScoped => true;
}

internal sealed class AttributeNode(CelAttribute attribute) : CelNode
{
    public CelAttribute Attribute { get; } = attribute;

    public override CelValue Evaluate(ICelAttributes attributes) => attributes.Get(Attribute);

    public override bool IsConnectionScoped => !CelAttributes.IsRequestScoped(Attribute);
}

internal sealed class ListNode(CelNode[] items) : CelNode
{
    public override CelValue Evaluate(ICelAttributes attributes)
    {
        var values = new CelValue[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            values[i] = items[i].Evaluate(attributes);
            if (values[i].IsError)
            {
                return values[i];
            }
        }

        return CelValue.List(values);
    }

    public override bool IsConnectionScoped => items.All(i => i.IsConnectionScoped);
}

/// <summary><c>map[key]</c>, <c>map.key</c> and <c>list[index]</c>; a missing key is an error, as in CEL.</summary>
internal sealed class IndexNode(CelNode operand, CelNode key) : CelNode
{
    public override CelValue Evaluate(ICelAttributes attributes)
    {
        var target = operand.Evaluate(attributes);
        if (target.IsError)
        {
            return target;
        }

        var index = key.Evaluate(attributes);
        if (index.IsError)
        {
            return index;
        }

        switch (target.Kind)
        {
            case CelKind.Map when index.Kind == CelKind.String:
                return Lookup(target.AsMap, index.AsString);
            case CelKind.List when index.Kind == CelKind.Int:
                var list = target.AsList;
                return index.AsInt >= 0 && index.AsInt < list.Length ? list[index.AsInt] : CelValue.Error($"index {index.AsInt} out of range");
            default:
                return CelValue.Error($"cannot index a {CelValue.KindName(target.Kind)} with a {CelValue.KindName(index.Kind)}");
        }
    }

    public override bool IsConnectionScoped => operand.IsConnectionScoped && key.IsConnectionScoped;

    public static CelValue Lookup(IHeaderDictionary headers, string name) =>
        headers.TryGetValue(name, out var values) && values.Count > 0
            ? CelValue.String(values.Count == 1 ? values[0] : values.ToString())
            : CelValue.Error($"no such key: '{name}'");
}

internal sealed class ConditionalNode(CelNode condition, CelNode whenTrue, CelNode whenFalse) : CelNode
{
    public override CelValue Evaluate(ICelAttributes attributes)
    {
        var test = condition.Evaluate(attributes);
        return test.Kind switch
        {
            CelKind.Bool => test.AsBool ? whenTrue.Evaluate(attributes) : whenFalse.Evaluate(attributes),
            CelKind.Error => test,
            _ => CelValue.Error($"condition is a {CelValue.KindName(test.Kind)}, not a bool"),
        };
    }

    public override bool IsConnectionScoped => condition.IsConnectionScoped && whenTrue.IsConnectionScoped && whenFalse.IsConnectionScoped;
}
