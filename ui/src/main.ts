import { mount } from 'svelte';
import App from './App.svelte';
import { connectBackend } from './lib/backend';
import { startup } from './lib/startup';
import './styles.css';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');

const backend = connectBackend();
mount(App, { target, props: { backend, startup: await startup(backend) } });
