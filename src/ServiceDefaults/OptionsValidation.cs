using System.ComponentModel.DataAnnotations;

namespace A3cGrpc.ServiceDefaults;

/// <summary>Validates an options object's DataAnnotations and cross-field rules in one pass.</summary>
public static class OptionsValidation
{
    /// <summary>Throws one <see cref="ValidationException"/> naming every problem of <paramref name="options"/>.</summary>
    public static void Validate(object options, string sectionName)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            throw new ValidationException($"Invalid {sectionName} options: {string.Join("; ", results.Select(r => r.ErrorMessage))}");
        }
    }
}
