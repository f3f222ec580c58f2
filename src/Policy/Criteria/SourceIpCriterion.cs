namespace Gateway.Policy.Criteria;

/// <summary><c>source_ip</c>: the client address is inside any of the listed CIDR ranges or addresses.</summary>
internal sealed class SourceIpCriterion(string path, IpRange[] ranges)
    : Criterion(path, PolicyReasons.SourceIpOk, PolicyReasons.SourceIpUnauthorized)
{
    public override CriterionResult Evaluate(PolicyInput input)
    {
        if (input.SourceIp is not { } address)
            return CriterionResult.NoMatch;
        Span<byte> buffer = stackalloc byte[16];
        var bytes = buffer[..IpRange.Normalize(address, buffer)];
        foreach (var range in ranges)
        {
            if (range.Contains(bytes))
                return CriterionResult.Match;
        }
        return CriterionResult.NoMatch;
    }
}
