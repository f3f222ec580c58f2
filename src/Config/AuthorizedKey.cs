using System.Buffers.Binary;
using System.Text;

namespace Gateway.Config;

/// <summary>
/// One OpenSSH authorized_keys line (<c>[options] type base64 [comment]</c>), checked far enough
/// to catch copy-paste damage: the base64 decodes and the type named inside the blob matches the
/// type written in front of it. Full key parsing is the SSH layer's job.
/// </summary>
public sealed record AuthorizedKey(string? Options, string KeyType, string Base64, string? Comment)
{
    /// <summary>Public key algorithms accepted in authorized_keys lines.</summary>
    public static readonly IReadOnlyList<string> KnownKeyTypes =
    [
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    ];

    /// <summary>The SSH wire-format public key blob.</summary>
    public byte[] Blob() => Convert.FromBase64String(Base64);

    public override string ToString()
    {
        var sb = new StringBuilder();
        if (Options is not null)
            sb.Append(Options).Append(' ');
        sb.Append(KeyType).Append(' ').Append(Base64);
        if (Comment is not null)
            sb.Append(' ').Append(Comment);
        return sb.ToString();
    }

    public static bool TryParse(string line, out AuthorizedKey? key, out string error)
    {
        key = null;
        var fields = line.Trim().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 2)
        {
            error = "expected an authorized_keys line \"<type> <base64> [comment]\"";
            return false;
        }

        string? options = null;
        var first = 0;
        if (!KnownKeyTypes.Contains(fields[0]))
        {
            // A leading options field (e.g. cert-authority) is allowed only if a key type follows.
            if (fields.Length >= 3 && KnownKeyTypes.Contains(fields[1]))
            {
                options = fields[0];
                first = 1;
            }
            else
            {
                error = $"unknown key type \"{fields[0]}\" (expected one of {string.Join(", ", KnownKeyTypes)})";
                return false;
            }
        }

        var type = fields[first];
        var base64 = fields[first + 1];
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            error = $"the {type} key is not valid base64";
            return false;
        }

        if (blob.Length < 4)
        {
            error = $"the {type} key blob is truncated";
            return false;
        }
        var nameLength = BinaryPrimitives.ReadUInt32BigEndian(blob);
        if (nameLength > blob.Length - 4)
        {
            error = $"the {type} key blob is truncated";
            return false;
        }
        var inner = Encoding.ASCII.GetString(blob, 4, (int)nameLength);
        if (inner != type)
        {
            error = $"the key blob says \"{inner}\" but the line says \"{type}\"";
            return false;
        }

        var comment = fields.Length > first + 2 ? string.Join(' ', fields.Skip(first + 2)) : null;
        key = new AuthorizedKey(options, type, base64, comment);
        error = "";
        return true;
    }
}
