using Mesh.Config.Model.Networking;
using Mesh.Config.Model.Security;
using Mesh.Config.Model.Telemetry;

namespace Mesh.Config.Validation;

internal static class AuthorizationPolicyValidator
{
    public static void Validate(AuthorizationPolicyConfig spec, ValidationContext context)
    {
        _ = spec;
        _ = context;
    }
}
