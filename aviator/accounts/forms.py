from django import forms
from django.contrib.auth import get_user_model, password_validation


class FamilySignupForm(forms.Form):
    email = forms.EmailField(label="E-mail", max_length=150)
    password = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)
    password_again = forms.CharField(
        label="Password again", strip=False, widget=forms.PasswordInput
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if get_user_model().objects.filter(username=email).exists():
            raise forms.ValidationError(
                "An account with this e-mail already exists. Log in instead."
            )
        return email

    def clean(self):
        cleaned = super().clean()
        password, again = cleaned.get("password"), cleaned.get("password_again")
        if password and again and password != again:
            self.add_error("password_again", "The two passwords differ.")
        elif password:
            candidate = get_user_model()(
                username=cleaned.get("email", ""), email=cleaned.get("email", "")
            )
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned
