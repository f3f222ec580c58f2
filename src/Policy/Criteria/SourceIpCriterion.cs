using System.Net;
using Gateway.Ssh;

namespace Gateway.Policy.Criteria;

/// <summary>
/// <c>source_ip</c>: the client address is inside any of the listed CIDR ranges or addresses
/// (read as Go's net.ParseCIDR does; see <see cref="IPNetworks.TryParseMasked"/>).
/// </summary>
internal sealed class SourceIpCriterion(string path, IPNetwork[] ranges)
    : Criterion(path, PolicyReasons.SourceIpOk, PolicyReasons.SourceIpUnauthorized)
{
    public override CriterionResult Evaluate(PolicyInput input)
    {
        if (input.SourceIp is not { } address)
            return CriterionResult.NoMatch;
        foreach (var range in ranges)
        {
            if (range.ContainsPeer(address))
                return CriterionResult.Match;
        }
        return CriterionResult.NoMatch;
    }
}
