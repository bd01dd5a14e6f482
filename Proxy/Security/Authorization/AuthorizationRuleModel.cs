namespace Mesh.Proxy.Security.Authorization;

/// <summary>
/// Istio's rule: it matches when at least one source, at least one operation and every condition
/// match (an empty list places no restriction), so <c>rules: [{}]</c> matches every request.
/// </summary>
internal sealed class AuthorizationRuleModel(SourceMatcher[] from, OperationMatcher[] to, ConditionMatcher[] when)
{
    public bool Matches(in AuthorizationInput input)
    {
        if (from.Length > 0)
        {
            var any = false;
            foreach (var source in from)
            {
                if (source.Matches(input))
                {
                    any = true;
                    break;
                }
            }

            if (!any)
            {
                return false;
            }
        }

        if (to.Length > 0)
        {
            var any = false;
            foreach (var operation in to)
            {
                if (operation.Matches(input))
                {
                    any = true;
                    break;
                }
            }

            if (!any)
            {
                return false;
            }
        }

        foreach (var condition in when)
        {
            if (!condition.Matches(input))
            {
                return false;
            }
        }

        return true;
    }
}
