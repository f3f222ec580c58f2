using System.Net;
using Gateway.Policy;
using Gateway.Ssh.Keys;

namespace Gateway.Policy.Tests;

/// <summary>Fixed keys (made with ssh-keygen) and the identities the tables evaluate.</summary>
internal static class PolicyTestData
{
    public const string KeyA = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIjiDCSEY7HPRWs0QPU/3iJx1CFFbZa05qsrZieb4SoG a@test";
    public const string KeyB = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB99Dryg4qu/bMz8Iap1vdK/PUOoJTsPbnVIUzOXJEFa b@test";
    public const string CaKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID9TxndM6bOHTzwAhZewSFjkttY3OI5WH5gj1R/99c5w ca@test";
    public const string EcKey = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBCg1sXHVAXLeqIqDwVxQy8apgEN6sfnSOX4J5jnir8XrHIRbSvUpMnmfOzgXW6s/x781bH19O7ybf0CNcHSW0dc= ec@test";
    public const string RsaKey = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCDvuGvgjY7/z9WaQ12gH+Ed5dgGrl3nw8ChUuyYIjm5G5G8ILoPKD46IPNK6gZfkKow/T5Ruje6iVxcqqf2d8xdS2tgazUysagJpQfsXnMLzu9S7TTJ8thXtwr+gzUOhSxk/aKgKOlA1NuLrbmM8R7Ug7FbIoL2v2Wmatty8Lr0LTDk8ipRXgr7k43hG17xDjt7UJ4ecaka7Tx9Wl/XV3N9UA47Ca4bmrbIi24+2jluwldw/8PMozkEw5dx0fl9NkA4jPtXFk8f/67Q74n42zlpXSw7ukrtVq8TwgQXo50Yw3kgy9N65U6NLC15f/Nwk20vSLBCaf6w23epkbzZDDH rsa@test";
    /// <summary>KeyA certified by CaKey for principal "alice".</summary>
    public const string CertA = "ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAILpiRyASuzSiH1sjhze6lcvy76VOD8v93t8fJksoHmcBAAAAIIjiDCSEY7HPRWs0QPU/3iJx1CFFbZa05qsrZieb4SoGAAAAAAAAAAAAAAABAAAAAmlkAAAACQAAAAVhbGljZQAAAABrBteYAAAAAGsG5hUAAAAAAAAAggAAABVwZXJtaXQtWDExLWZvcndhcmRpbmcAAAAAAAAAF3Blcm1pdC1hZ2VudC1mb3J3YXJkaW5nAAAAAAAAABZwZXJtaXQtcG9ydC1mb3J3YXJkaW5nAAAAAAAAAApwZXJtaXQtcHR5AAAAAAAAAA5wZXJtaXQtdXNlci1yYwAAAAAAAAAAAAAAMwAAAAtzc2gtZWQyNTUxOQAAACA/U8Z3TOmzh088AIWXsEhY5LbWNziOVh+YI9Uf/fXOcAAAAFMAAAALc3NoLWVkMjU1MTkAAABAhLPJfHf3nCHKb5GN3FwfrYJydGfMCCdufr1b7d5gN7McWpq6FE5KhWjn6TRMGaA4gI7qRDjo0LuGkWzWdmgCCg== a@test";

    /// <summary>A security key: readable and comparable, never authenticated by the SSH server.</summary>
    public const string SecurityKey = "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIDK1btUzSKhYfzDJDlxkBt+V07irETCx2mK89JKo7YpjAAAABHNzaDo= sk@test";

    public static SshPublicKey Key(string line) => SshKeys.ParseAuthorizedKey(line);

    /// <summary>Signed-in Alice over HTTP.</summary>
    public static readonly PolicyInput AliceHttp = new()
    {
        Authenticated = true,
        Email = "alice@example.com",
        UserId = "u-alice",
        Name = "Alice",
        Groups = ["admins", "dev"],
        Claims = new Dictionary<string, IReadOnlyList<string>>
        {
            ["department"] = ["eng"],
            ["email_verified"] = ["true"],
            ["level"] = ["42"],
            ["unix_user"] = ["al", "alice"],
            ["team"] = ["core"],
        },
        SourceIp = IPAddress.Parse("10.1.2.3"),
        HttpMethod = "GET",
        HttpPath = "/api/items",
    };

    /// <summary>Signed-in Alice as an SSH tunnel client: no HTTP request.</summary>
    public static readonly PolicyInput AliceSsh = AliceHttp with
    {
        HttpMethod = null,
        HttpPath = null,
        SshUsername = "alice",
        SshPublicKey = Key(KeyA),
    };

    /// <summary>Alice connecting with her CA-signed certificate.</summary>
    public static readonly PolicyInput AliceSshCert = AliceSsh with
    {
        SshPublicKey = Key(CertA),
        SshCaPublicKey = Key(CaKey),
    };

    /// <summary>Nobody signed in, but the request itself is known.</summary>
    public static readonly PolicyInput AnonymousHttp = new()
    {
        SourceIp = IPAddress.Parse("10.1.2.3"),
        HttpMethod = "GET",
        HttpPath = "/api/items",
    };

    /// <summary>Identity fields filled but no session: identity criteria must not trust them.</summary>
    public static readonly PolicyInput UnauthenticatedWithEmail = AliceSsh with { Authenticated = false };

    public static readonly PolicyInput Empty = new();

    public static PolicyInput Named(string name) => name switch
    {
        nameof(AliceHttp) => AliceHttp,
        nameof(AliceSsh) => AliceSsh,
        nameof(AliceSshCert) => AliceSshCert,
        nameof(AnonymousHttp) => AnonymousHttp,
        nameof(UnauthenticatedWithEmail) => UnauthenticatedWithEmail,
        nameof(Empty) => Empty,
        _ => throw new ArgumentException(name),
    };

    /// <summary>Evaluates both ways and insists the fast path and the explained path agree.</summary>
    public static bool Admits(CompiledPolicy policy, PolicyInput input)
    {
        var fast = policy.Allows(input);
        var decision = policy.Evaluate(input);
        Assert.Equal(fast, decision.Allowed);
        Assert.NotEmpty(decision.Reasons);
        return fast;
    }

    public static bool Admits(string json, PolicyInput input) => Admits(PolicyParser.ParseJson(json), input);

    /// <summary>A one-criterion allow policy: <c>{"allow":{"and":[{key: data}]}}</c>.</summary>
    public static string Single(string key, string dataJson) => "{\"allow\":{\"and\":[{\"" + key + "\":" + dataJson + "}]}}";

    public static string Q(string s) => System.Text.Json.JsonSerializer.Serialize(s);
}
