using System.Net;
using Gateway.Policy.Matchers;
using Gateway.Ssh;
using Gateway.Ssh.Keys;

namespace Gateway.Policy.Criteria;

/// <summary>Maps a criterion key (<c>name</c> or <c>name/sub</c>) and its data to a compiled criterion.</summary>
internal static class CriterionFactory
{
    public const string KnownNames =
        "accept, reject, authenticated_user, email, user, domain, groups, claim/<name>, source_ip, "
        + "ssh_username, ssh_username_matches_email, ssh_username_matches_claim, ssh_publickey, ssh_ca, "
        + "http_method, http_path";

    public static Criterion Create(string key, object? data, string path)
    {
        var slash = key.IndexOf('/');
        var name = slash < 0 ? key : key[..slash];
        var sub = slash < 0 ? null : key[(slash + 1)..];

        if (name == "claim")
        {
            if (string.IsNullOrEmpty(sub))
                throw new PolicyParseException(path, "the claim criterion needs a claim name: use \"claim/<name>\"");
            return new ClaimCriterion(path, sub, MatcherParser.ParseList(data, path));
        }

        if (!IsKnown(name))
            throw new PolicyParseException(path, $"unknown criterion \"{name}\" (expected one of {KnownNames})");
        if (sub is not null)
            throw new PolicyParseException(path, $"criterion \"{name}\" takes no sub-path");

        return name switch
        {
            // Data is unused for these, as in Pomerium (which documents `true` by convention).
            "accept" => new AcceptCriterion(path),
            "reject" => new RejectCriterion(path),
            "authenticated_user" => new AuthenticatedUserCriterion(path),
            "ssh_username_matches_email" => new SshUsernameMatchesEmailCriterion(path),

            "email" => new EmailCriterion(path, MatcherParser.ParseString(data, path)),
            "user" => new UserCriterion(path, MatcherParser.ParseString(data, path)),
            "domain" => new DomainCriterion(path, MatcherParser.ParseString(data, path)),
            "groups" => new GroupsCriterion(path, MatcherParser.ParseList(data, path)),
            "source_ip" => new SourceIpCriterion(path, ParseRanges(data, path)),
            "ssh_username" => new SshUsernameCriterion(path, MatcherParser.ParseString(data, path)),
            "ssh_username_matches_claim" => new SshUsernameMatchesClaimCriterion(path, ClaimName(data, path)),
            "ssh_publickey" => new SshPublicKeyCriterion(path, ParseKeys(data, path)),
            "ssh_ca" => new SshCaCriterion(path, ParseKeys(data, path)),
            "http_method" => new HttpMethodCriterion(path, MatcherParser.ParseString(data, path)),
            "http_path" => new HttpPathCriterion(path, MatcherParser.ParseString(data, path)),
            _ => throw new PolicyParseException(path, $"unknown criterion \"{name}\""),
        };
    }

    private static bool IsKnown(string name) => name is "accept" or "reject" or "authenticated_user" or "email"
        or "user" or "domain" or "groups" or "source_ip" or "ssh_username" or "ssh_username_matches_email"
        or "ssh_username_matches_claim" or "ssh_publickey" or "ssh_ca" or "http_method" or "http_path";

    private static string ClaimName(object? data, string path)
    {
        var name = PolicyTree.RequireString(data, path);
        return name.Length > 0 ? name : throw new PolicyParseException(path, "expected a claim name, got an empty string");
    }

    private static IPNetwork[] ParseRanges(object? data, string path)
    {
        var items = PolicyTree.StringOrList(data, path);
        var ranges = new IPNetwork[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var (text, itemPath) = items[i];
            if (!IPNetworks.TryParseMasked(text.Trim(), out var range))
                throw new PolicyParseException(itemPath, $"\"{text}\" is not an IP address or CIDR range");
            ranges[i] = range;
        }
        return ranges;
    }

    /// <summary>
    /// authorized_keys lines of any readable type, certificates and security keys included: a
    /// policy only compares blobs, even for a key the SSH server could never authenticate.
    /// </summary>
    private static AuthorizedKey[] ParseKeys(object? data, string path)
    {
        var items = PolicyTree.StringOrList(data, path);
        var keys = new AuthorizedKey[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var (text, itemPath) = items[i];
            if (!AuthorizedKey.TryParse(text, out var key, out var error))
                throw new PolicyParseException(itemPath, $"not a valid SSH public key: {error} (expected an authorized_keys line such as \"ssh-ed25519 AAAA... comment\")");
            keys[i] = key;
        }
        return keys;
    }
}
